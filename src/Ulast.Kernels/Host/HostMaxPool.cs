using System.Numerics.Tensors;

namespace Ulast.Kernels.Host;

/// <summary>
/// Max-pooling on the CPU's host path, planes (image, channel) spread over the threads: the forward takes each window's
/// maximum (rows first, then columns), the backward adds each output's gradient to that input, outputs in row order — for every input the same
/// additions in the same order as <see cref="MaxPoolKernels.Backward"/>, so both paths agree to the bit.
/// </summary>
public static unsafe class HostMaxPool
{
    public static void Forward(PoolParams p, float* x, float* y)
    {
        int planes = p.N * p.C;
        HostRanges.For(planes, Environment.ProcessorCount, (start, end) =>
        {
            // The window's rows reduced first (vectorised over the whole row), then its columns: the same maxima.
            var rowMax = new float[p.W];
            for (int nc = start; nc < end; nc++)
            {
                float* xp = x + (long)nc * p.H * p.W, yp = y + (long)nc * p.Ho * p.Wo;
                for (int oy = 0; oy < p.Ho; oy++)
                {
                    int y0 = oy * p.Stride - p.Pad, ya = Math.Max(y0, 0), yb = Math.Min(y0 + p.K, p.H);
                    var row = rowMax.AsSpan();
                    new ReadOnlySpan<float>(xp + (long)ya * p.W, p.W).CopyTo(row);
                    for (int iy = ya + 1; iy < yb; iy++) TensorPrimitives.Max(row, new ReadOnlySpan<float>(xp + (long)iy * p.W, p.W), row);
                    for (int ox = 0; ox < p.Wo; ox++)
                    {
                        int x0 = ox * p.Stride - p.Pad, xa = Math.Max(x0, 0), xb = Math.Min(x0 + p.K, p.W);
                        float m = rowMax[xa];
                        for (int ix = xa + 1; ix < xb; ix++) if (rowMax[ix] > m) m = rowMax[ix];
                        yp[oy * p.Wo + ox] = m;
                    }
                }
            }
        });
    }

    public static void Backward(PoolParams p, float* x, float* g, float* dx)
    {
        int planes = p.N * p.C;
        HostRanges.For(planes, Environment.ProcessorCount, (start, end) =>
        {
            for (int nc = start; nc < end; nc++)
            {
                float* xp = x + (long)nc * p.H * p.W, dp = dx + (long)nc * p.H * p.W, gp = g + (long)nc * p.Ho * p.Wo;
                new Span<float>(dp, p.H * p.W).Clear();
                for (int oy = 0; oy < p.Ho; oy++)
                    for (int ox = 0; ox < p.Wo; ox++) dp[ArgMax(p, xp, oy, ox)] += gp[oy * p.Wo + ox];
            }
        });
    }

    /// <summary>The plane offset of the window's first maximum (padding never wins).</summary>
    private static int ArgMax(in PoolParams p, float* x, int oy, int ox)
    {
        int y0 = oy * p.Stride - p.Pad, x0 = ox * p.Stride - p.Pad;
        int ya = Math.Max(y0, 0), yb = Math.Min(y0 + p.K, p.H), xa = Math.Max(x0, 0), xb = Math.Min(x0 + p.K, p.W);
        int best = ya * p.W + xa;
        float bestValue = x[best];
        for (int iy = ya; iy < yb; iy++)
            for (int ix = xa; ix < xb; ix++)
                if (x[iy * p.W + ix] > bestValue) { best = iy * p.W + ix; bestValue = x[best]; }
        return best;
    }
}
