using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

public readonly struct CropParams
{
    public readonly int N, C, H, W, OH, OW;
    public CropParams(int n, int c, int h, int w, int oh, int ow) { N = n; C = c; H = h; W = w; OH = oh; OW = ow; }
    public int InputSize => N * C * H * W;
    public int OutputSize => N * C * OH * OW;
}

/// <summary>
/// Bilinear crop-and-resize of a box per sample. Boxes are [N,4] as x1,y1,x2,y2 in continuous pixel
/// coordinates (pixel i covers [i, i+1)); output pixel j samples x1 + (j + ½)(x2 − x1)/OW − ½.
/// Taps outside the input read the per-channel padding value (e.g. the mean colour).
/// The gradient flows to the input only: the crop window is treated as a constant.
/// </summary>
public static class CropKernels
{
    [UlastKernel]
    public static void Forward(Index1D i, CropParams p, ArrayView<float> x, ArrayView<float> boxes, ArrayView<float> pad, ArrayView<float> y)
    {
        int ox = i % p.OW, oy = i / p.OW % p.OH, c = i / (p.OW * p.OH) % p.C, n = i / (p.OW * p.OH * p.C);
        float x1 = boxes[n * 4], y1 = boxes[n * 4 + 1], x2 = boxes[n * 4 + 2], y2 = boxes[n * 4 + 3];
        float sx = x1 + (ox + 0.5f) * (x2 - x1) / p.OW - 0.5f;
        float sy = y1 + (oy + 0.5f) * (y2 - y1) / p.OH - 0.5f;
        int fx = (int)XMath.Floor(sx), fy = (int)XMath.Floor(sy);
        float ax = sx - fx, ay = sy - fy;
        int plane = (n * p.C + c) * p.H * p.W;
        float padValue = pad[c];
        float v00 = Tap(p, x, plane, fy, fx, padValue), v01 = Tap(p, x, plane, fy, fx + 1, padValue);
        float v10 = Tap(p, x, plane, fy + 1, fx, padValue), v11 = Tap(p, x, plane, fy + 1, fx + 1, padValue);
        y[i] = (1f - ay) * ((1f - ax) * v00 + ax * v01) + ay * ((1f - ax) * v10 + ax * v11);
    }

    /// <summary>dx: each input pixel gathers from the output pixels whose sample lies within one pixel of it.</summary>
    [UlastKernel]
    public static void BackwardInput(Index1D i, CropParams p, ArrayView<float> boxes, ArrayView<float> g, ArrayView<float> dx)
    {
        int ix = i % p.W, iy = i / p.W % p.H, c = i / (p.W * p.H) % p.C, n = i / (p.W * p.H * p.C);
        float x1 = boxes[n * 4], y1 = boxes[n * 4 + 1], x2 = boxes[n * 4 + 2], y2 = boxes[n * 4 + 3];
        float bx = (x2 - x1) / p.OW, by = (y2 - y1) / p.OH;
        float ax0 = x1 + 0.5f * bx - 0.5f, ay0 = y1 + 0.5f * by - 0.5f;
        int jx0 = 0, jx1 = p.OW - 1, jy0 = 0, jy1 = p.OH - 1;
        if (bx > 1e-6f) { jx0 = XMath.Max(0, (int)XMath.Floor((ix - 1 - ax0) / bx)); jx1 = XMath.Min(p.OW - 1, (int)XMath.Ceiling((ix + 1 - ax0) / bx)); }
        if (by > 1e-6f) { jy0 = XMath.Max(0, (int)XMath.Floor((iy - 1 - ay0) / by)); jy1 = XMath.Min(p.OH - 1, (int)XMath.Ceiling((iy + 1 - ay0) / by)); }
        float acc = 0f;
        for (int oy = jy0; oy <= jy1; oy++)
        {
            float sy = ay0 + oy * by;
            int fy = (int)XMath.Floor(sy);
            float wy = fy == iy ? 1f - (sy - fy) : fy + 1 == iy ? sy - fy : 0f;
            if (wy == 0f) continue;
            for (int ox = jx0; ox <= jx1; ox++)
            {
                float sx = ax0 + ox * bx;
                int fx = (int)XMath.Floor(sx);
                float wx = fx == ix ? 1f - (sx - fx) : fx + 1 == ix ? sx - fx : 0f;
                if (wx == 0f) continue;
                acc += wy * wx * g[((n * p.C + c) * p.OH + oy) * p.OW + ox];
            }
        }
        dx[i] = acc;
    }

    private static float Tap(CropParams p, ArrayView<float> x, int plane, int yy, int xx, float padValue) =>
        yy < 0 || yy >= p.H || xx < 0 || xx >= p.W ? padValue : x[plane + yy * p.W + xx];
}
