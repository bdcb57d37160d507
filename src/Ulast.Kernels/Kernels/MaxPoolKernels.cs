using ILGPU;

namespace Ulast.Kernels;

public readonly struct PoolParams
{
    public readonly int N, C, H, W, K, Stride, Pad, Ho, Wo;
    public PoolParams(int n, int c, int h, int w, int k, int stride, int pad)
    {
        N = n; C = c; H = h; W = w; K = k; Stride = stride; Pad = pad;
        Ho = (h + 2 * pad - k) / stride + 1;
        Wo = (w + 2 * pad - k) / stride + 1;
        if (Ho <= 0 || Wo <= 0) throw new ArgumentException($"Max-pool {k}x{k} of a {h}x{w} input gives an empty output.");
    }
    public int OutputSize => N * C * Ho * Wo;
    public int InputSize => N * C * H * W;
}

/// <summary>Max-pooling; padding never wins. The backward pass re-finds each window's first maximum.</summary>
public static class MaxPoolKernels
{
    [UlastKernel]
    public static void Forward(Index1D i, PoolParams p, ArrayView<float> x, ArrayView<float> y)
    {
        int ox = i % p.Wo, oy = i / p.Wo % p.Ho, nc = i / (p.Wo * p.Ho);
        y[i] = x[nc * p.H * p.W + ArgMax(p, x, nc, oy, ox)];
    }

    [UlastKernel]
    public static void Backward(Index1D i, PoolParams p, ArrayView<float> x, ArrayView<float> g, ArrayView<float> dx)
    {
        int ix = i % p.W, iy = i / p.W % p.H, nc = i / (p.W * p.H);
        int self = iy * p.W + ix;
        float acc = 0f;
        // Only the windows that cover this input: oy·stride − pad ≤ iy < oy·stride − pad + K.
        int oyA = FirstWindow(iy + p.Pad - p.K + 1, p.Stride), oyB = (iy + p.Pad) / p.Stride;
        int oxA = FirstWindow(ix + p.Pad - p.K + 1, p.Stride), oxB = (ix + p.Pad) / p.Stride;
        for (int oy = oyA; oy <= oyB && oy < p.Ho; oy++)
            for (int ox = oxA; ox <= oxB && ox < p.Wo; ox++)
                if (ArgMax(p, x, nc, oy, ox) == self) acc += g[(nc * p.Ho + oy) * p.Wo + ox];
        dx[i] = acc;
    }

    /// <summary>The first window index o ≥ 0 with o·stride ≥ <paramref name="start"/> (a ceiling division clamped at 0).</summary>
    private static int FirstWindow(int start, int stride) => start <= 0 ? 0 : (start + stride - 1) / stride;

    private static int ArgMax(PoolParams p, ArrayView<float> x, int nc, int oy, int ox)
    {
        int best = -1;
        float bestValue = 0f;
        for (int ky = 0; ky < p.K; ky++)
        {
            int iy = oy * p.Stride - p.Pad + ky;
            if (iy < 0 || iy >= p.H) continue;
            for (int kx = 0; kx < p.K; kx++)
            {
                int ix = ox * p.Stride - p.Pad + kx;
                if (ix < 0 || ix >= p.W) continue;
                float v = x[nc * p.H * p.W + iy * p.W + ix];
                if (best < 0 || v > bestValue) { best = iy * p.W + ix; bestValue = v; }
            }
        }
        return best;
    }
}
