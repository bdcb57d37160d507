namespace Ulast.Kernels.Host;

/// <summary>A plane the crop samples: its value at (y, x), or the padding outside it.</summary>
public interface ICropPlane
{
    float Tap(int y, int x);
}

/// <summary>A float plane of h×w (the crop kernel's input).</summary>
public readonly unsafe struct FloatPlane(float* plane, int h, int w, float pad) : ICropPlane
{
    public float Tap(int y, int x) => y < 0 || y >= h || x < 0 || x >= w ? pad : plane[y * w + x];
}

/// <summary>
/// One band of rows of a bilinear crop-and-resize, with <see cref="CropKernels.Forward"/>'s arithmetic: the source
/// position x1 + (o + ½)(x2 − x1)/OW − ½, and the four taps weighted as the kernel weighs them. Each column's position is
/// computed once per band. Generic over the plane (a struct), so each source compiles to its own loop.
/// </summary>
public static unsafe class BilinearBand
{
    public static void Resample<TPlane>(in TPlane plane, float x1, float y1, float x2, float y2, int oh, int ow, int band, int bands, float* dst)
        where TPlane : struct, ICropPlane
    {
        Span<int> fxs = ow <= 1024 ? stackalloc int[ow] : new int[ow];
        Span<float> axs = ow <= 1024 ? stackalloc float[ow] : new float[ow];
        for (int ox = 0; ox < ow; ox++)
        {
            float sx = x1 + (ox + 0.5f) * (x2 - x1) / ow - 0.5f;
            fxs[ox] = (int)MathF.Floor(sx);
            axs[ox] = sx - fxs[ox];
        }
        for (int oy = oh * band / bands, end = oh * (band + 1) / bands; oy < end; oy++)
        {
            float sy = y1 + (oy + 0.5f) * (y2 - y1) / oh - 0.5f;
            int fy = (int)MathF.Floor(sy);
            float ay = sy - fy;
            for (int ox = 0; ox < ow; ox++)
            {
                int fx = fxs[ox];
                float ax = axs[ox];
                float v00 = plane.Tap(fy, fx), v01 = plane.Tap(fy, fx + 1);
                float v10 = plane.Tap(fy + 1, fx), v11 = plane.Tap(fy + 1, fx + 1);
                dst[oy * ow + ox] = (1f - ay) * ((1f - ax) * v00 + ax * v01) + ay * ((1f - ax) * v10 + ax * v11);
            }
        }
    }
}
