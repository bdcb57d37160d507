using ILGPU;

namespace Ulast.Kernels;

/// <summary>Depthwise cross-correlation geometry: search [B,C,Hs,Ws] ⋆ kernel [B,C,Hk,Wk] → [B,C,Ho,Wo].</summary>
public readonly struct XcorrParams
{
    public readonly int B, C, Hs, Ws, Hk, Wk, Ho, Wo;
    public XcorrParams(int b, int c, int hs, int ws, int hk, int wk)
    {
        if (hk > hs || wk > ws) throw new ArgumentException($"Template {hk}x{wk} is larger than search {hs}x{ws}.");
        B = b; C = c; Hs = hs; Ws = ws; Hk = hk; Wk = wk; Ho = hs - hk + 1; Wo = ws - wk + 1;
    }
    public int SearchSize => B * C * Hs * Ws;
    public int KernelSize => B * C * Hk * Wk;
    public int OutputSize => B * C * Ho * Wo;
    public long Flops => 2L * B * C * Ho * Wo * Hk * Wk;
}

/// <summary>Per-sample, per-channel correlation of search features with template kernels (SiamRPN++'s head).</summary>
public static class XcorrKernels
{
    [UlastKernel]
    public static void Forward(Index1D i, XcorrParams p, ArrayView<float> s, ArrayView<float> k, ArrayView<float> y)
    {
        int ox = i % p.Wo, oy = i / p.Wo % p.Ho, bc = i / (p.Wo * p.Ho);
        float acc = 0f;
        for (int ky = 0; ky < p.Hk; ky++)
            for (int kx = 0; kx < p.Wk; kx++)
                acc += s[(bc * p.Hs + oy + ky) * p.Ws + ox + kx] * k[(bc * p.Hk + ky) * p.Wk + kx];
        y[i] = acc;
    }

    [UlastKernel]
    public static void BackwardSearch(Index1D i, XcorrParams p, ArrayView<float> k, ArrayView<float> g, ArrayView<float> ds)
    {
        int sx = i % p.Ws, sy = i / p.Ws % p.Hs, bc = i / (p.Ws * p.Hs);
        float acc = 0f;
        for (int ky = 0; ky < p.Hk; ky++)
        {
            int oy = sy - ky;
            if (oy < 0 || oy >= p.Ho) continue;
            for (int kx = 0; kx < p.Wk; kx++)
            {
                int ox = sx - kx;
                if (ox < 0 || ox >= p.Wo) continue;
                acc += g[(bc * p.Ho + oy) * p.Wo + ox] * k[(bc * p.Hk + ky) * p.Wk + kx];
            }
        }
        ds[i] = acc;
    }

    [UlastKernel]
    public static void BackwardKernel(Index1D i, XcorrParams p, ArrayView<float> s, ArrayView<float> g, ArrayView<float> dk)
    {
        int kx = i % p.Wk, ky = i / p.Wk % p.Hk, bc = i / (p.Wk * p.Hk);
        float acc = 0f;
        for (int oy = 0; oy < p.Ho; oy++)
            for (int ox = 0; ox < p.Wo; ox++)
                acc += g[(bc * p.Ho + oy) * p.Wo + ox] * s[(bc * p.Hs + oy + ky) * p.Ws + ox + kx];
        dk[i] = acc;
    }
}
