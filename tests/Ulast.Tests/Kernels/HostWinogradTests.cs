using Ulast.Kernels.Host;
using Ulast.Kernels.Reference;

namespace Ulast.Tests.Kernels;

/// <summary>
/// 3×3 stride-1 convolutions through Winograd's F(2×2, 3×3): forward, input gradient (the flipped forward) and weight
/// gradient against the double-precision reference, at the tolerance every host convolution meets, on odd and even
/// outputs (partial tiles), paddings 0–2 (the flipped form of a valid convolution pads 2), channels not a multiple of
/// 8, one to three images, one and two threads, whole images and blocks of a few tile rows.
/// </summary>
public class HostWinogradTests
{
    [Fact]
    public unsafe void ForwardAndBothGradientsMatchTheReference()
    {
        var rng = new Random(5);
        // Single images too (MinBatch 1): their blocks of tile rows are spread over the threads.
        var defaults = new HostTuning { WinogradMinBatch = 1 };
        {
            // n, cin, h, w, cout, pad, dilation (2: split into four phases)
            int[][] configs = { new[] { 2, 6, 11, 13, 10, 1, 1 }, new[] { 1, 3, 17, 10, 5, 0, 1 }, new[] { 3, 9, 10, 10, 12, 2, 1 },
                new[] { 2, 16, 32, 32, 8, 1, 1 }, new[] { 1, 40, 19, 23, 33, 1, 1 }, new[] { 2, 5, 18, 21, 7, 2, 2 }, new[] { 1, 4, 22, 20, 6, 0, 2 } };
            foreach (var (threads, blockBytes) in new[] { (1, defaults.WinogradBlockBytes), (2, defaults.WinogradBlockBytes), (2, 1) })
                foreach (var c in configs)
                {
                    // block 1 B: the fewest tile rows a block may hold (32 columns)
                    var t = defaults with { Threads = threads, WinogradBlockBytes = blockBytes };
                    var p = new ConvParams(c[0], c[1], c[2], c[3], c[4], 3, 3, 1, 1, c[5], c[5], c[6], c[6], 1);
                    Assert.True(HostWinograd.Applies(t, p), $"{string.Join(",", c)} should run through Winograd");
                    var x = TestDevice.Random(rng, p.InputSize);
                    var w = TestDevice.Random(rng, p.WeightSize, -0.5, 0.5);
                    var g = TestDevice.Random(rng, p.OutputSize);
                    var y = new float[p.OutputSize];
                    var dx = new float[p.InputSize];
                    var dw = TestDevice.Random(rng, p.WeightSize);   // overwritten, not accumulated
                    fixed (float* px = x, pw = w, pg = g, py = y, pdx = dx, pdw = dw)
                    {
                        HostConv.Forward(t, p, px, pw, py);
                        HostConv.BackwardInput(t, p, pg, pw, pdx);
                        HostConv.BackwardWeight(t, p, px, pg, pdw);
                    }
                    var (edx, edw) = ConvReference.Backward(p, x, w, g);
                    string what = $"[{string.Join(",", c)}] threads {threads} block {blockBytes} B";
                    TestDevice.AssertClose(ConvReference.Forward(p, x, w), y, 1e-4, 1e-4, what + ": forward");
                    TestDevice.AssertClose(edx, dx, 1e-4, 1e-4, what + ": input gradient");
                    TestDevice.AssertClose(edw, dw, 1e-4, 1e-4, what + ": weight gradient");
                }
        }
    }

    [Fact]
    public unsafe void TheFusedEpilogueEqualsTheConvolutionThenTheEpilogue()
    {
        var rng = new Random(9);
        var defaults = new HostTuning { WinogradMinBatch = 1 };
        {
            foreach (int blockBytes in new[] { defaults.WinogradBlockBytes, 1 })   // whole images, and blocks of tile rows (one image: blocks over both threads)
                foreach (var p in new[] { new ConvParams(1, 8, 21, 19, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1), new ConvParams(2, 8, 20, 20, 12, 3, 3, 1, 1, 2, 2, 2, 2, 1) })
                {
                    var t = defaults with { WinogradBlockBytes = blockBytes };
                    var x = TestDevice.Random(rng, p.InputSize);
                    var w = TestDevice.Random(rng, p.WeightSize, -0.5, 0.5);
                    var epilogue = new ChannelEpilogue(TestDevice.Random(rng, p.Cout), TestDevice.Random(rng, p.Cout), relu: true);
                    var fused = new float[p.OutputSize];
                    var apart = new float[p.OutputSize];
                    fixed (float* px = x, pw = w, pf = fused, pa = apart)
                    {
                        HostConv.Forward(t, p, px, pw, pf, epilogue);
                        HostConv.Forward(t, p, px, pw, pa);
                        for (int n = 0; n < p.N; n++) epilogue.Apply(pa + (long)n * p.Cout * p.Ho * p.Wo, p.Cout, p.Ho * p.Wo);
                    }
                    TestDevice.AssertSamePaths(apart, fused, $"dilation {p.DilH} block {blockBytes} B");
                    Assert.Contains(fused, v => v == 0f);
                    Assert.Contains(fused, v => v > 0f);
                }
        }
    }

    [Fact]
    public void RunsOnlyWhereItApplies()
    {
        Assert.False(HostWinograd.Applies(new HostTuning(), new ConvParams(2, 4, 20, 20, 4, 3, 3, 2, 2, 1, 1, 1, 1, 1)));   // stride 2
        Assert.False(HostWinograd.Applies(new HostTuning(), new ConvParams(2, 4, 20, 20, 4, 3, 3, 1, 1, 1, 1, 2, 2, 1)));   // dilation 2, odd padding
        Assert.False(HostWinograd.Applies(new HostTuning(), new ConvParams(2, 4, 20, 20, 4, 3, 3, 1, 1, 3, 3, 3, 3, 1)));   // dilation 3
        Assert.True(HostWinograd.Applies(new HostTuning(), new ConvParams(2, 4, 20, 20, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1)));    // dilation 2, padding 2
        Assert.False(HostWinograd.Applies(new HostTuning(), new ConvParams(2, 4, 20, 20, 4, 3, 3, 1, 1, 1, 1, 1, 1, 2)));   // groups
        Assert.False(HostWinograd.Applies(new HostTuning(), new ConvParams(2, 4, 9, 9, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1)));     // 7×7 output
        Assert.False(HostWinograd.Applies(new HostTuning(), new ConvParams(2, 4, 20, 20, 4, 5, 5, 1, 1, 2, 2, 1, 1, 1)));   // 5×5
        Assert.True(HostWinograd.Applies(new HostTuning(), new ConvParams(2, 4, 10, 10, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1)));    // 8×8 output
        Assert.False(HostWinograd.Applies(new HostTuning(), new ConvParams(1, 4, 10, 10, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1)));   // one image (tracking)
    }

    [Fact]
    public unsafe void TheWeightTransformIsGKGTransposed()
    {
        var rng = new Random(3);
        var k = TestDevice.Random(rng, 9);
        var g = new float[16];
        fixed (float* pk = k, pg = g) HostWinograd.Kernel4(pk, pg);
        double[,] G = { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } };
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
            {
                double e = 0;
                for (int r = 0; r < 3; r++)
                    for (int s = 0; s < 3; s++) e += G[a, r] * k[3 * r + s] * G[b, s];
                Assert.True(Math.Abs(e - g[4 * a + b]) < 1e-6, $"U[{a},{b}] = {g[4 * a + b]}, expected {e}");
            }
    }
}
