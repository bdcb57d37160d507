using Ulast.Tracker.Model;

namespace Ulast.Tests.Tracker;

/// <summary>
/// A whole tiny Siamese RPN, forward (training mode) and backward, gives the same outputs and parameter gradients
/// on the host path and on the kernel path. With ULAST_TEST_DEVICE=cuda the kernel path is the GPU, so this is the
/// check that the network as the tracker and trainer compose it runs on CUDA.
/// </summary>
public class ModelPathParityTests
{
    private static (float[] cls, float[] loc, Dictionary<string, float[]> grads) Run(bool hostSimd)
    {
        var rng = new Random(21);
        using var dev = TestDevice.Cpu(hostSimd);
        using var scope = new TensorScope();
        using var model = new SiameseRpn(dev, new ModelConfig { Channels = 8, Width = 8 });
        model.Train();
        var z = Tensor.FromArray(dev, TestDevice.Random(rng, 2 * 3 * 127 * 127), 2, 3, 127, 127);
        var x = Tensor.FromArray(dev, TestDevice.Random(rng, 2 * 3 * 255 * 255), 2, 3, 255, 255);
        var (cls, loc) = model.Forward(z, x);
        // a loss that weights every output differently, so that each gradient element is checked
        var gc = Tensor.FromArray(dev, TestDevice.Random(rng, cls.Size), cls.Shape);
        var gl = Tensor.FromArray(dev, TestDevice.Random(rng, loc.Size), loc.Shape);
        var loss = Ops.Add(Ops.SumAll(Ops.Mul(cls, gc)), Ops.SumAll(Ops.Mul(loc, gl)));
        loss.Backward();
        var grads = model.NamedParameters().Where(p => p.Tensor.Grad is not null).ToDictionary(p => p.Name, p => p.Tensor.Grad!.ToArray());
        return (cls.ToArray(), loc.ToArray(), grads);
    }

    /// <summary>
    /// |a − b| ≤ tol · max(max |b| over the tensor, floor): the sums behind each value run in another order on each
    /// path. The floor serves gradients that cancel to nearly nothing (a BN's input shift feeding another train-mode BN).
    /// </summary>
    private static void AssertNear(float[] expected, float[] actual, double tol, string what, double floor = 0)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(floor, expected.Max(v => Math.Abs((double)v)));
        Assert.True(scale > 0, $"{what}: all zero");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(float.IsFinite(actual[i]), $"{what}: {actual[i]} at {i}");
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tol * scale, $"{what}[{i}]: {actual[i]}, host path {expected[i]} (scale {scale:E2})");
        }
    }

    [Fact]
    public void TheTinyNetworkGivesTheSameOutputsAndGradientsOnBothPaths()
    {
        var host = Run(hostSimd: true);
        var kernels = Run(hostSimd: false);
        AssertNear(host.cls, kernels.cls, 1e-4, "cls");
        AssertNear(host.loc, kernels.loc, 1e-4, "loc");
        Assert.True(host.grads.Count > 10, $"only {host.grads.Count} parameters have gradients");
        Assert.Equal(host.grads.Keys.OrderBy(k => k), kernels.grads.Keys.OrderBy(k => k));
        double largest = host.grads.Values.Max(g => g.Max(v => Math.Abs((double)v)));
        foreach (var (name, g) in host.grads) AssertNear(g, kernels.grads[name], 1e-3, name, floor: 1e-3 * largest);
    }
}
