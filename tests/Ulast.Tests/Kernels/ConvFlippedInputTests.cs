using Ulast.Kernels.Host;
using Ulast.Kernels.Reference;

namespace Ulast.Tests.Kernels;

/// <summary>
/// The convolution's input gradient both ways (<see cref="HostTuning.FlippedInputGradient"/>).
/// </summary>
public class ConvFlippedInputTests
{
    private static readonly Random Rng = new(11);

    [Fact]
    public unsafe void ConvInputGradientAsFlippedForwardAndThroughCol2ImBothMatchTheReference()
    {
        // n, cin, h, w, cout, k, pad, dil, groups — all stride 1, where the flipped form applies
        int[][] configs = { new[] { 2, 6, 11, 13, 10, 3, 1, 1, 1 }, new[] { 1, 8, 9, 9, 6, 3, 2, 2, 2 }, new[] { 2, 4, 7, 6, 5, 5, 0, 1, 1 },
            new[] { 1, 3, 12, 70, 4, 3, 1, 1, 1 } };
        {
            foreach (var c in configs)
            {
                var p = new ConvParams(c[0], c[1], c[2], c[3], c[4], c[5], c[5], 1, 1, c[6], c[6], c[7], c[7], c[8]);
                Assert.NotNull(HostConv.FlippedInput(p));
                var x = TestDevice.Random(Rng, p.InputSize);
                var w = TestDevice.Random(Rng, p.WeightSize, -0.5, 0.5);
                var g = TestDevice.Random(Rng, p.OutputSize);
                var (expected, _) = ConvReference.Backward(p, x, w, g);
                foreach (bool flipped in new[] { true, false })
                {
                    var tuning = new HostTuning { FlippedInputGradient = flipped };
                    var dx = new float[p.InputSize];
                    fixed (float* pw = w, pg = g, pdx = dx) HostConv.BackwardInput(tuning, p, pg, pw, pdx);
                    TestDevice.AssertClose(expected, dx, 1e-4, 1e-4, $"dx {string.Join(",", c)} flipped={flipped}");
                }
            }
            Assert.Null(HostConv.FlippedInput(new ConvParams(1, 2, 4, 5, 3, 3, 3, 1, 1, 3, 3, 1, 1, 1)));   // padding 3 > (K − 1)·dil
            Assert.Null(HostConv.FlippedInput(new ConvParams(1, 2, 9, 9, 3, 3, 3, 2, 2, 1, 1, 1, 1, 1)));   // stride 2
        }
    }
}
