using Ulast.Kernels.Host;
using Ulast.Kernels.Reference;

namespace Ulast.Tests.Kernels;

/// <summary>The SIMD GEMM on all three vector paths, with edges, transposes, accumulation and threads.</summary>
public class HostGemmTests
{
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(0)]
    public unsafe void MatchesReference(int bits)
    {
        var defaults = new HostTuning();
        {
            var rng = new Random(bits + 1);
            // the default chunk of packed B, and one sliver per chunk (many chunks, the last one short)
            // B read in place for few rows (the default) and always packed
            foreach (int direct in new[] { defaults.GemmDirectBMaxRows, 0 })
            foreach (int chunkBytes in new[] { defaults.GemmPackedBBytes, 1 })
            foreach (var (m, n, k) in new[] { (1, 1, 1), (8, 32, 256), (9, 33, 257), (37, 61, 300), (130, 70, 513), (17, 300, 40) })
                foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
                    foreach (var acc in new[] { false, true })
                    {
                        var a = TestDevice.Random(rng, m * k);
                        var b = TestDevice.Random(rng, k * n);
                        var c = TestDevice.Random(rng, m * n);
                        var expected = MatMulReference.Forward(new MatMulParams(1, m, n, k, ta, tb, 0, 0), a, b);
                        if (acc) for (int i = 0; i < expected.Length; i++) expected[i] += c[i];
                        var tuning = defaults with { GemmVectorBits = bits, GemmPackedBBytes = chunkBytes, GemmDirectBMaxRows = direct };
                        fixed (float* pa = a, pb = b, pc = c)
                            HostGemm.Gemm(tuning, m, n, k, pa, ta ? m : k, ta, pb, tb ? k : n, tb, pc, n, acc, threads: 2);
                        TestDevice.AssertClose(expected, c, 1e-4, 1e-4, $"{bits} {m}x{n}x{k} {ta} {tb} {acc} chunk {chunkBytes} direct {direct}");
                    }
        }
    }

    /// <summary>The micro-kernel is one body for both widths (8×32 in one pass, 8×16 in two): each element sums over k in the same order.</summary>
    [Fact]
    public unsafe void BothVectorWidthsGiveTheSameBits()
    {
        var rng = new Random(11);
        foreach (var (m, n, k) in new[] { (8, 32, 256), (37, 61, 300), (130, 70, 513), (64, 625, 576) })
            foreach (var (ta, tb) in new[] { (false, false), (true, true) })
            {
                var a = TestDevice.Random(rng, m * k);
                var b = TestDevice.Random(rng, k * n);
                var c0 = TestDevice.Random(rng, m * n);
                var outputs = new List<float[]>();
                foreach (int bits in new[] { 512, 256 })
                {
                    var c = (float[])c0.Clone();
                    fixed (float* pa = a, pb = b, pc = c)
                        HostGemm.Gemm(new HostTuning { GemmVectorBits = bits }, m, n, k, pa, ta ? m : k, ta, pb, tb ? k : n, tb, pc, n, accumulate: true, threads: 2);
                    outputs.Add(c);
                }
                Assert.True(outputs[0].AsSpan().SequenceEqual(outputs[1]), $"{m}x{n}x{k} {ta} {tb}: the widths' bits differ");
            }
    }
}

/// <summary>
/// A 1×1 convolution to one channel (the discriminative filter's sum over its channels) skips the GEMM's 8-row sliver:
/// its forward pass and input gradient must give the GEMM's results to the bit on both vector paths, and the reference's.
/// </summary>
public class ConvChannelSumTests
{
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    public unsafe void MatchesTheGemmBitForBitAndTheReference(int bits)
    {
        var tuning = new HostTuning { GemmVectorBits = bits };
        {
            var rng = new Random(bits + 7);
            foreach (var (n, cin, h, w) in new[] { (3, 64, 25, 25), (1, 5, 3, 7), (2, 300, 4, 4) })
            {
                var p = new ConvParams(n, cin, h, w, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1);
                int hw = h * w;
                var x = TestDevice.Random(rng, p.InputSize);
                var wt = TestDevice.Random(rng, cin, -0.5, 0.5);
                var g = TestDevice.Random(rng, p.OutputSize);
                var y = new float[p.OutputSize];
                var gemmY = new float[p.OutputSize];
                var dx = new float[p.InputSize];
                var gemmDx = new float[p.InputSize];
                fixed (float* px = x, pw = wt, pg = g, py = y, pgy = gemmY, pdx = dx, pgdx = gemmDx)
                {
                    HostConv.Forward(tuning, p, px, pw, py);
                    HostConv.BackwardInput(tuning, p, pg, pw, pdx);
                    for (int i = 0; i < n; i++)
                    {
                        HostGemm.Gemm(tuning, 1, hw, cin, pw, cin, false, px + (long)i * cin * hw, hw, false, pgy + (long)i * hw, hw, false);
                        HostGemm.Gemm(tuning, cin, hw, 1, pw, cin, true, pg + (long)i * hw, hw, false, pgdx + (long)i * cin * hw, hw, false);
                    }
                }
                TestDevice.AssertSamePaths(y, gemmY, $"{bits} forward [{n},{cin},{h},{w}]");
                TestDevice.AssertSamePaths(dx, gemmDx, $"{bits} input gradient [{n},{cin},{h},{w}]");
                TestDevice.AssertClose(ConvReference.Forward(p, x, wt), y, 1e-4, 1e-4, $"{bits} forward against the reference");
                TestDevice.AssertClose(ConvReference.Backward(p, x, wt, g).dx, dx, 1e-4, 1e-4, $"{bits} input gradient against the reference");
            }
        }
    }
}
