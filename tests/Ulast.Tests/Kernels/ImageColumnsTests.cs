using Ulast.Kernels.Host;

namespace Ulast.Tests.Kernels;

/// <summary>The on-demand im2col equals the stored one on any row segment, and a GEMM that reads it equals the dense GEMM.</summary>
public class ImageColumnsTests
{
    // n, cin, h, w, cout, k, stride, pad, dil
    public static IEnumerable<object[]> Shapes() => new[]
    {
        new object[] { new[] { 1, 3, 9, 11, 4, 3, 1, 1, 1 } },
        new object[] { new[] { 1, 2, 10, 7, 3, 3, 2, 2, 2 } },
        new object[] { new[] { 1, 2, 4, 3, 2, 3, 1, 3, 1 } },   // padding wider than the image
        new object[] { new[] { 1, 4, 13, 13, 5, 5, 1, 0, 1 } },
        new object[] { new[] { 1, 2, 5, 70, 3, 3, 2, 1, 1 } },   // stride 2 on rows wide enough for the vector gather
    };

    private static ConvParams Params(int[] c) => new(c[0], c[1], c[2], c[3], c[4], c[5], c[5], c[6], c[6], c[7], c[7], c[8], c[8], 1);

    [Theory]
    [MemberData(nameof(Shapes))]
    public unsafe void RowSegmentsEqualTheStoredIm2Col(int[] c)
    {
        var p = Params(c);
        var rng = new Random(3);
        var x = TestDevice.Random(rng, p.InputSize);
        int rows = p.CinG * p.KH * p.KW, hw = p.Ho * p.Wo;
        var col = new float[rows * hw];
        var seg = new float[hw];
        fixed (float* px = x, pc = col, ps = seg)
        {
            HostConv.Im2Col(p, px, pc);
            var source = new ImageColumns(p, px);
            for (int trial = 0; trial < 200; trial++)
            {
                int r = rng.Next(rows), start = rng.Next(hw), count = 1 + rng.Next(hw - start);
                source.Row(r, start, count, ps);
                for (int j = 0; j < count; j++) Assert.Equal(col[r * hw + start + j], seg[j]);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public unsafe void GemmReadingRowsEqualsTheDenseGemm(bool transB)
    {
        var p = Params(new[] { 1, 5, 17, 19, 7, 3, 1, 1, 1 });
        var rng = new Random(4);
        var x = TestDevice.Random(rng, p.InputSize);
        int rows = p.CinG * p.KH * p.KW, hw = p.Ho * p.Wo;
        var col = new float[rows * hw];
        // op(B) = col (rows × hw) or colᵀ (hw × rows); A is m × k accordingly
        int m = 9, n = transB ? rows : hw, k = transB ? hw : rows;
        var a = TestDevice.Random(rng, m * k);
        var dense = new float[m * n];
        var fetched = new float[m * n];
        fixed (float* px = x, pc = col, pa = a, pd = dense, pf = fetched)
        {
            HostConv.Im2Col(p, px, pc);
            var tuning = new HostTuning();
            HostGemm.Gemm(tuning, m, n, k, pa, k, false, pc, hw, transB, pd, n, false, threads: 2);
            HostGemm.Gemm(tuning, m, n, k, pa, k, false, new ImageColumns(p, px), transB, pf, n, false, threads: 2);
            Assert.Equal(dense, fetched);
            // again with one sliver of packed B at a time: rows fetched chunk by chunk
            HostGemm.Gemm(tuning with { GemmPackedBBytes = 1 }, m, n, k, pa, k, false, new ImageColumns(p, px), transB, pf, n, false, threads: 2);
        }
        Assert.Equal(dense, fetched);
        Assert.Contains(dense, v => v != 0f);
    }
}
