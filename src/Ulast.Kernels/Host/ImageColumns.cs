namespace Ulast.Kernels.Host;

/// <summary>
/// The im2col matrix of one image (one group), row by row on demand: row (c·KH + ky)·KW + kx holds
/// x[c][oy·s − pad + ky·dil][ox·s − pad + kx·dil] for every output pixel oy·Wo + ox (0 outside the image).
/// The convolution's GEMMs read it through this instead of a stored copy: the whole matrix (megabytes per image)
/// was written to memory and read back once per GEMM; a row segment stays in the cache.
/// </summary>
public sealed unsafe class ImageColumns : GemmRows
{
    private readonly ConvParams _p;
    private readonly float* _x;

    /// <param name="x">The image's first channel of the group, [CinG, H, W].</param>
    public ImageColumns(in ConvParams p, float* x) { _p = p; _x = x; }

    public override void Row(int row, int start, int count, float* dst)
    {
        var p = _p;
        int kx = row % p.KW, ky = row / p.KW % p.KH, c = row / (p.KW * p.KH);
        float* src = _x + (long)c * p.H * p.W;
        int x0 = -p.PadW + kx * p.DilW;
        var (lo, hi) = HostConv.InsideColumns(p, x0);
        for (int j = start, end = start + count; j < end;)
        {
            int oy = j / p.Wo, ox = j - oy * p.Wo;
            int oxEnd = Math.Min(p.Wo, ox + (end - j));
            float* d = dst + (j - start) - ox;   // d[ox] is this pixel's place
            int iy = oy * p.StrideH - p.PadH + ky * p.DilH;
            if (iy < 0 || iy >= p.H) new Span<float>(d + ox, oxEnd - ox).Clear();
            else
            {
                float* s = src + (long)iy * p.W;
                int a = Math.Clamp(lo, ox, oxEnd), b = Math.Clamp(hi, a, oxEnd);   // inside the image: [a, b)
                for (int q = ox; q < a; q++) d[q] = 0f;
                StridedRow.Gather(s + a * p.StrideW + x0, p.StrideW, d + a, b - a);
                for (int q = b; q < oxEnd; q++) d[q] = 0f;
            }
            j += oxEnd - ox;
        }
    }
}
