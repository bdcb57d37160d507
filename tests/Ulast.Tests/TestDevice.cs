using Ulast.Autograd.Modules;

namespace Ulast.Tests;

/// <summary>
/// A device per test: the CPU's host path, or with <c>hostSimd: false</c> the ILGPU kernels themselves.
/// Those run on ILGPU's CPU accelerator, or on the GPU when ULAST_TEST_DEVICE=cuda is set (on a machine
/// with one), so that the same references and gradient checks prove the kernels on CUDA.
/// </summary>
public static class TestDevice
{
    public static bool KernelsOnCuda => string.Equals(Environment.GetEnvironmentVariable("ULAST_TEST_DEVICE"), "cuda", StringComparison.OrdinalIgnoreCase);

    public static Device Cpu(bool hostSimd = true)
    {
        if (!hostSimd && KernelsOnCuda) return Device.Create(DeviceKind.Cuda);
        var d = Device.Create(DeviceKind.Cpu);
        d.UseHostPath = hostSimd;
        return d;
    }

    public static float[] Random(Random rng, int n, double low = -1, double high = 1) => Init.Uniform(rng, n, low, high);

    /// <summary>
    /// The host path and the kernel path give the same numbers: to the bit on the CPU (switching paths changes no
    /// evaluation). On CUDA the compiler fuses multiply-adds, exp differs in its last bits and atomic sums run in
    /// another order, so there each element must be within 1e-5 relative (plus 1e-6 of the tensor's largest value).
    /// <paramref name="termMagnitude"/>, where given, is each element's sum of absolute terms (the same sum of |terms|
    /// on the host path): an atomic sum's rounding scales with it, not with the result that cancels.
    /// </summary>
    public static void AssertSamePaths(float[] host, float[] kernel, string what = "", float[]? termMagnitude = null)
    {
        Assert.Equal(host.Length, kernel.Length);
        if (!KernelsOnCuda)
        {
            for (int i = 0; i < host.Length; i++)
                if (host[i].CompareTo(kernel[i]) != 0)
                    Assert.Fail($"{what}: element {i} is {kernel[i]:R} on the kernel path, {host[i]:R} on the host path");
            return;
        }
        double scale = host.Length == 0 ? 0 : host.Max(v => Math.Abs((double)v));
        for (int i = 0; i < host.Length; i++)
        {
            double err = Math.Abs((double)kernel[i] - host[i]);
            double magnitude = Math.Max(Math.Abs(host[i]), termMagnitude is null ? 0 : Math.Abs(termMagnitude[i]));
            Assert.True(float.IsFinite(kernel[i]) == float.IsFinite(host[i]) && err <= 1e-5 * magnitude + 1e-6 * scale,
                $"{what}: element {i} is {kernel[i]:R} on CUDA, {host[i]:R} on the host path (error {err:E2})");
        }
    }

    /// <summary>Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise.</summary>
    public static void AssertClose(double[] expected, float[] actual, double atol = 1e-4, double rtol = 1e-4, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]), $"{what}: NaN at {i}");
            double err = Math.Abs(actual[i] - expected[i]);
            Assert.True(err <= atol + rtol * Math.Abs(expected[i]), $"{what}: element {i} is {actual[i]}, expected {expected[i]} (error {err:E2})");
        }
    }
}
