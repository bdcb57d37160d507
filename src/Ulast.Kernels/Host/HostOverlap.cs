namespace Ulast.Kernels.Host;

/// <summary>
/// <see cref="OverlapKernels"/> as plain loops for the CPU's host path (ILGPU's CPU accelerator spent more on its
/// per-element scheduling than on the arithmetic). The same operations in the same order, so the same bits.
/// </summary>
public static unsafe class HostOverlap
{
    /// <param name="boxes">[B·K, 4] (cx, cy, w, h).</param>
    /// <param name="overlap">[B·K, axis.Count].</param>
    public static void Forward(CellAxis axis, float* boxes, int boxCount, float* overlap)
    {
        for (int bk = 0; bk < boxCount; bk++)
        {
            float c = boxes[bk * 4 + axis.Coord], half = 0.5f * boxes[bk * 4 + 2 + axis.Coord];
            float* row = overlap + (long)bk * axis.Count;
            for (int n = 0; n < axis.Count; n++)
            {
                float cc = axis.First + n * axis.Stride, cellLo = cc - 0.5f * axis.Size, cellHi = cc + 0.5f * axis.Size;
                row[n] = MathF.Max(0f, MathF.Min(c + half, cellHi) - MathF.Max(c - half, cellLo)) / axis.Size;
            }
        }
    }

    /// <param name="g">The overlap's gradient, [B·K, axis.Count].</param>
    /// <param name="gBoxes">[B·K, 4]: d(c, w) of this axis, zero for the other axis.</param>
    public static void Backward(CellAxis axis, float* boxes, int boxCount, float* g, float* gBoxes)
    {
        for (int bk = 0; bk < boxCount; bk++)
        {
            float c = boxes[bk * 4 + axis.Coord], half = 0.5f * boxes[bk * 4 + 2 + axis.Coord];
            float lo = c - half, hi = c + half;
            float dLo = 0f, dHi = 0f;
            for (int n = 0; n < axis.Count; n++)
            {
                float cc = axis.First + n * axis.Stride, cellLo = cc - 0.5f * axis.Size, cellHi = cc + 0.5f * axis.Size;
                float right = MathF.Min(hi, cellHi), left = MathF.Max(lo, cellLo);
                if (right <= left) continue;
                float gv = g[bk * axis.Count + n] / axis.Size;
                if (hi < cellHi) dHi += gv;
                if (lo > cellLo) dLo -= gv;
            }
            float* d = gBoxes + bk * 4;
            d[0] = d[1] = d[2] = d[3] = 0f;
            d[axis.Coord] = dLo + dHi;
            d[axis.Coord + 2] = 0.5f * (dHi - dLo);
        }
    }
}
