using ILGPU;

namespace Ulast.Kernels;

/// <summary>Geometry of a 2-d convolution (cross-correlation, as in every DL framework).</summary>
public readonly struct ConvParams
{
    public readonly int N, Cin, H, W, Cout, KH, KW, Ho, Wo, StrideH, StrideW, PadH, PadW, DilH, DilW, Groups;

    public ConvParams(int n, int cin, int h, int w, int cout, int kh, int kw,
        int strideH, int strideW, int padH, int padW, int dilH, int dilW, int groups)
    {
        if (groups < 1 || cin % groups != 0 || cout % groups != 0)
            throw new ArgumentException($"Channels in ({cin}) and out ({cout}) must both be divisible by groups ({groups}).");
        N = n; Cin = cin; H = h; W = w; Cout = cout; KH = kh; KW = kw;
        StrideH = strideH; StrideW = strideW; PadH = padH; PadW = padW; DilH = dilH; DilW = dilW; Groups = groups;
        Ho = (h + 2 * padH - dilH * (kh - 1) - 1) / strideH + 1;
        Wo = (w + 2 * padW - dilW * (kw - 1) - 1) / strideW + 1;
        if (Ho <= 0 || Wo <= 0) throw new ArgumentException($"Convolution of a {h}x{w} input with a {kh}x{kw} kernel gives an empty output.");
    }

    public int CinG => Cin / Groups;
    public int CoutG => Cout / Groups;
    public int InputSize => N * Cin * H * W;
    public int OutputSize => N * Cout * Ho * Wo;
    public int WeightSize => Cout * CinG * KH * KW;
    /// <summary>Multiply-adds × 2 of the forward pass.</summary>
    public long Flops => 2L * N * Cout * Ho * Wo * CinG * KH * KW;
}

/// <summary>Direct convolution, one thread per output / input / weight element: deterministic, no atomics.</summary>
public static class ConvKernels
{
    [UlastKernel]
    public static void Forward(Index1D i, ConvParams p, ArrayView<float> x, ArrayView<float> w, ArrayView<float> y)
    {
        int ox = i % p.Wo, oy = i / p.Wo % p.Ho, co = i / (p.Wo * p.Ho) % p.Cout, n = i / (p.Wo * p.Ho * p.Cout);
        int g = co / p.CoutG;
        float acc = 0f;
        for (int cg = 0; cg < p.CinG; cg++)
        {
            int ci = g * p.CinG + cg;
            for (int ky = 0; ky < p.KH; ky++)
            {
                int iy = oy * p.StrideH - p.PadH + ky * p.DilH;
                if (iy < 0 || iy >= p.H) continue;
                for (int kx = 0; kx < p.KW; kx++)
                {
                    int ix = ox * p.StrideW - p.PadW + kx * p.DilW;
                    if (ix < 0 || ix >= p.W) continue;
                    acc += x[((n * p.Cin + ci) * p.H + iy) * p.W + ix] * w[((co * p.CinG + cg) * p.KH + ky) * p.KW + kx];
                }
            }
        }
        y[i] = acc;
    }

    /// <summary>dx: each input element gathers from the outputs whose window covers it.</summary>
    [UlastKernel]
    public static void BackwardInput(Index1D i, ConvParams p, ArrayView<float> dy, ArrayView<float> w, ArrayView<float> dx)
    {
        int ix = i % p.W, iy = i / p.W % p.H, ci = i / (p.W * p.H) % p.Cin, n = i / (p.W * p.H * p.Cin);
        int g = ci / p.CinG, cg = ci % p.CinG;
        float acc = 0f;
        for (int ky = 0; ky < p.KH; ky++)
        {
            int ty = iy + p.PadH - ky * p.DilH;
            if (ty < 0 || ty % p.StrideH != 0) continue;
            int oy = ty / p.StrideH;
            if (oy >= p.Ho) continue;
            for (int kx = 0; kx < p.KW; kx++)
            {
                int tx = ix + p.PadW - kx * p.DilW;
                if (tx < 0 || tx % p.StrideW != 0) continue;
                int ox = tx / p.StrideW;
                if (ox >= p.Wo) continue;
                for (int cog = 0; cog < p.CoutG; cog++)
                {
                    int co = g * p.CoutG + cog;
                    acc += dy[((n * p.Cout + co) * p.Ho + oy) * p.Wo + ox] * w[((co * p.CinG + cg) * p.KH + ky) * p.KW + kx];
                }
            }
        }
        dx[i] = acc;
    }

    /// <summary>
    /// How many partial sums each weight element's gradient is split into: thread (w, k) sums output rows
    /// r = k, k + chunks, … of the N·Ho rows. Layers with few weights and large maps (the stem: 2,352 weights over
    /// 16 × 127 rows) otherwise leave a GPU nearly idle. About 128k threads at most; 1 for large weights.
    /// </summary>
    public static int WeightChunks(ConvParams p) => Math.Max(1, Math.Min(p.N * p.Ho, 131072 / Math.Max(1, p.WeightSize)));

    /// <summary>dw's partial sums: thread i = k·WeightSize + w sums weight element w over its rows (with one chunk, dw itself).</summary>
    [UlastKernel]
    public static void BackwardWeight(Index1D i, ConvParams p, int chunks, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> partial)
    {
        int w = i % p.WeightSize, k = i / p.WeightSize;
        int kx = w % p.KW, ky = w / p.KW % p.KH, cg = w / (p.KW * p.KH) % p.CinG, co = w / (p.KW * p.KH * p.CinG);
        int ci = co / p.CoutG * p.CinG + cg;
        float acc = 0f;
        for (int r = k; r < p.N * p.Ho; r += chunks)
        {
            int n = r / p.Ho, oy = r - n * p.Ho;
            int iy = oy * p.StrideH - p.PadH + ky * p.DilH;
            if (iy < 0 || iy >= p.H) continue;
            for (int ox = 0; ox < p.Wo; ox++)
            {
                int ix = ox * p.StrideW - p.PadW + kx * p.DilW;
                if (ix < 0 || ix >= p.W) continue;
                acc += dy[((n * p.Cout + co) * p.Ho + oy) * p.Wo + ox] * x[((n * p.Cin + ci) * p.H + iy) * p.W + ix];
            }
        }
        partial[i] = acc;
    }

    /// <summary>result[i] = Σ_k partial[k·size + i], in double.</summary>
    [UlastKernel]
    public static void SumChunks(Index1D i, int size, int chunks, ArrayView<float> partial, ArrayView<float> result)
    {
        double s = 0;
        for (int k = 0; k < chunks; k++) s += partial[k * size + i];
        result[i] = (float)s;
    }
}
