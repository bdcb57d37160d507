namespace Ulast.Tests;

/// <summary>A CPU device per test class; <c>hostSimd: false</c> runs the ILGPU kernels themselves.</summary>
public static class TestDevice
{
    public static Device Cpu(bool hostSimd = true)
    {
        var d = Device.Create(DeviceKind.Cpu);
        d.UseHostPath = hostSimd;
        return d;
    }

    public static float[] Random(Random rng, int n, double low = -1, double high = 1) => Init.Uniform(rng, n, low, high);

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
