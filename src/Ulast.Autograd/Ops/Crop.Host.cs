using Ulast.Kernels.Host;

namespace Ulast.Autograd;

/// <summary>The host path of the crop ops (see <see cref="HostPaths"/>).</summary>
internal static unsafe partial class HostPaths
{
    /// <summary>Bilinear crop-and-resize, as <see cref="CropKernels.Forward"/> (same arithmetic), a plane per task.</summary>
    public static bool CropForward(CropParams p, Tensor x, Tensor boxes, Tensor pad, Tensor y)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(CropKernels.Forward);
        float* px = x.HostPointer, pbox = boxes.HostPointer, ppad = pad.HostPointer, py = y.HostPointer;
        // Work units are bands of rows of a plane: one per plane left a core idle for a third of a tracked frame's
        // crop (3 planes on 2 cores). Each column's source position is computed once per unit, not once per pixel.
        const int bands = 4;
        Parallel.For(0, p.N * p.C * bands, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, unit =>
        {
            int nc = unit / bands, band = unit % bands;
            int n = nc / p.C, c = nc % p.C;
            float x1 = pbox[n * 4], y1 = pbox[n * 4 + 1], x2 = pbox[n * 4 + 2], y2 = pbox[n * 4 + 3];
            var plane = new FloatPlane(px + (long)nc * p.H * p.W, p.H, p.W, ppad[c]);
            BilinearBand.Resample(plane, x1, y1, x2, y2, p.OH, p.OW, band, bands, py + (long)nc * p.OH * p.OW);
        });
        return true;
    }

    /// <summary>
    /// The crop's input gradient, as <see cref="CropKernels.BackwardInput"/> (same arithmetic and order: each input pixel
    /// gathers from the output pixels whose sample lies within one pixel of it), a plane per task (a naive step crops
    /// the template's features from the backbone's, so this runs on every step).
    /// </summary>
    public static bool CropBackward(CropParams p, Tensor boxes, Tensor g, Tensor dx)
    {
        if (!Ready(g)) return false;
        g.Device.Kernels.RecordHost(CropKernels.BackwardInput);
        float* pbox = boxes.HostPointer, pg = g.HostPointer, pd = dx.HostPointer;
        Parallel.For(0, p.N * p.C, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, nc =>
        {
            int n = nc / p.C;
            float x1 = pbox[n * 4], y1 = pbox[n * 4 + 1], x2 = pbox[n * 4 + 2], y2 = pbox[n * 4 + 3];
            float bx = (x2 - x1) / p.OW, by = (y2 - y1) / p.OH;
            float ax0 = x1 + 0.5f * bx - 0.5f, ay0 = y1 + 0.5f * by - 0.5f;
            float* gp = pg + (long)nc * p.OH * p.OW, dp = pd + (long)nc * p.H * p.W;
            for (int iy = 0; iy < p.H; iy++)
            {
                int jy0 = 0, jy1 = p.OH - 1;
                if (by > 1e-6f) { jy0 = Math.Max(0, (int)MathF.Floor((iy - 1 - ay0) / by)); jy1 = Math.Min(p.OH - 1, (int)MathF.Ceiling((iy + 1 - ay0) / by)); }
                for (int ix = 0; ix < p.W; ix++)
                {
                    int jx0 = 0, jx1 = p.OW - 1;
                    if (bx > 1e-6f) { jx0 = Math.Max(0, (int)MathF.Floor((ix - 1 - ax0) / bx)); jx1 = Math.Min(p.OW - 1, (int)MathF.Ceiling((ix + 1 - ax0) / bx)); }
                    float acc = 0f;
                    for (int oy = jy0; oy <= jy1; oy++)
                    {
                        float sy = ay0 + oy * by;
                        int fy = (int)MathF.Floor(sy);
                        float wy = fy == iy ? 1f - (sy - fy) : fy + 1 == iy ? sy - fy : 0f;
                        if (wy == 0f) continue;
                        for (int ox = jx0; ox <= jx1; ox++)
                        {
                            float sx = ax0 + ox * bx;
                            int fx = (int)MathF.Floor(sx);
                            float wx = fx == ix ? 1f - (sx - fx) : fx + 1 == ix ? sx - fx : 0f;
                            if (wx == 0f) continue;
                            acc += wy * wx * gp[oy * p.OW + ox];
                        }
                    }
                    dp[iy * p.W + ix] = acc;
                }
            }
        });
        return true;
    }
}
