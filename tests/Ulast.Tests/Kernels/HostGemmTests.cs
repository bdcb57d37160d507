using Ulast.Kernels.Host;
using Ulast.Kernels.Reference;

namespace Ulast.Tests.Kernels;

/// <summary>The SIMD GEMM on all three vector paths, with edges, transposes, accumulation and threads.</summary>
[Collection("HostVectorWidth")]   // changes HostGemm.VectorBits, PackedBBytes and DirectBMaxRows
public class HostGemmTests
{
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(0)]
    public unsafe void MatchesReference(int bits)
    {
        int saved = HostGemm.VectorBits, savedChunk = HostGemm.PackedBBytes, savedDirect = HostGemm.DirectBMaxRows;
        try
        {
            HostGemm.VectorBits = bits;
            var rng = new Random(bits + 1);
            // the default chunk of packed B, and one sliver per chunk (many chunks, the last one short)
            // B read in place for few rows (the default) and always packed
            foreach (int direct in new[] { savedDirect, 0 })
            foreach (int chunkBytes in new[] { savedChunk, 1 })
            foreach (var (m, n, k) in new[] { (1, 1, 1), (8, 32, 256), (9, 33, 257), (37, 61, 300), (130, 70, 513), (17, 300, 40) })
                foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
                    foreach (var acc in new[] { false, true })
                    {
                        var a = TestDevice.Random(rng, m * k);
                        var b = TestDevice.Random(rng, k * n);
                        var c = TestDevice.Random(rng, m * n);
                        var expected = MatMulReference.Forward(new MatMulParams(1, m, n, k, ta, tb, 0, 0), a, b);
                        if (acc) for (int i = 0; i < expected.Length; i++) expected[i] += c[i];
                        HostGemm.PackedBBytes = chunkBytes;
                        HostGemm.DirectBMaxRows = direct;
                        fixed (float* pa = a, pb = b, pc = c)
                            HostGemm.Gemm(m, n, k, pa, ta ? m : k, ta, pb, tb ? k : n, tb, pc, n, acc, threads: 2);
                        TestDevice.AssertClose(expected, c, 1e-4, 1e-4, $"{bits} {m}x{n}x{k} {ta} {tb} {acc} chunk {chunkBytes} direct {direct}");
                    }
        }
        finally { HostGemm.VectorBits = saved; HostGemm.PackedBBytes = savedChunk; HostGemm.DirectBMaxRows = savedDirect; }
    }
}
