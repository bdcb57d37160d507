using Ulast.Kernels.Reference;

namespace Ulast.Tests.Kernels;

/// <summary>
/// Ops.DepthwiseXcorrKernelGradient (Aᵀu for the discriminative filter's solver) is the cross-correlation's kernel
/// gradient without the tape: equal to the backward pass's to the bit on each path, and to the double reference.
/// </summary>
public class XcorrKernelGradientTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EqualsTheTapesKernelGradientAndTheReference(bool hostSimd)
    {
        var rng = new Random(hostSimd ? 3 : 4);
        foreach (var (b, c, hs, k) in new[] { (3, 5, 31, 7), (2, 4, 12, 3), (1, 2, 9, 9) })
        {
            var p = new XcorrParams(b, c, hs, hs, k, k);
            var s = TestDevice.Random(rng, p.SearchSize);
            var kern = TestDevice.Random(rng, p.KernelSize);
            var g = TestDevice.Random(rng, p.OutputSize);
            using var dev = TestDevice.Cpu(hostSimd);
            using var scope = new TensorScope();
            var ts = Tensor.FromArray(dev, s, b, c, hs, hs);
            var tk = Tensor.FromArray(dev, kern, b, c, k, k);
            tk.RequiresGrad = true;
            tk.RetainGrad = true;
            var y = Ops.DepthwiseXcorr(ts, tk);
            var tg = Tensor.FromArray(dev, g, y.Shape);
            y.Backward(tg);
            float[] direct;
            using (GradMode.NoGrad()) direct = Ops.DepthwiseXcorrKernelGradient(ts, tg, k, k).ToArray();
            TestDevice.AssertSamePaths(direct, tk.Grad!.ToArray(), $"[{b},{c},{hs}] ⋆ {k}: the op against the tape");
            TestDevice.AssertClose(XcorrReference.Backward(p, s, kern, g).dk, direct, 1e-4, 1e-4, $"[{b},{c},{hs}] ⋆ {k}: the op against the reference");
        }
        using var d = TestDevice.Cpu(hostSimd);
        using var sc = new TensorScope();
        Assert.Throws<ArgumentException>(() => Ops.DepthwiseXcorrKernelGradient(Tensor.Zeros(d, 1, 2, 9, 9), Tensor.Zeros(d, 1, 2, 4, 4), 7, 7));
    }
}
