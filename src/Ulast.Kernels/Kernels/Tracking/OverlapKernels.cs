using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

/// <summary>A row of cells along one axis: cell n is [first + n·stride − size/2, first + n·stride + size/2].</summary>
public readonly struct CellAxis
{
    public readonly int Count, Coord;
    public readonly float First, Stride, Size;
    /// <param name="coord">0: the boxes' x axis (cx, w); 1: the y axis (cy, h).</param>
    public CellAxis(int count, float first, float stride, float size, int coord) { Count = count; First = first; Stride = stride; Size = size; Coord = coord; }
}

/// <summary>
/// Fraction of each cell's extent along one axis covered by each box, [B,K,4] → [B,K,N]:
/// o = max(0, min(hi, cellHi) − max(lo, cellLo)) / size with lo, hi = c ∓ w/2. A box's 2-d overlap
/// with a cell is the product of its x and y fractions — ULAST's region mask is built from these.
/// Piecewise linear in the box: the gradient flows to (c, w) wherever the overlap is positive.
/// </summary>
public static class OverlapKernels
{
    [UlastKernel]
    public static void Forward(Index1D i, CellAxis axis, ArrayView<float> boxes, ArrayView<float> overlap)
    {
        int n = i % axis.Count, bk = i / axis.Count;
        float c = boxes[bk * 4 + axis.Coord], half = 0.5f * boxes[bk * 4 + 2 + axis.Coord];
        float cc = axis.First + n * axis.Stride, cellLo = cc - 0.5f * axis.Size, cellHi = cc + 0.5f * axis.Size;
        overlap[i] = XMath.Max(0f, XMath.Min(c + half, cellHi) - XMath.Max(c - half, cellLo)) / axis.Size;
    }

    /// <summary>One thread per box and coordinate (4 per box): d(c, w) of this axis, zero for the other axis.</summary>
    [UlastKernel]
    public static void Backward(Index1D i, CellAxis axis, ArrayView<float> boxes, ArrayView<float> g, ArrayView<float> gBoxes)
    {
        int coord = i % 4, bk = i / 4;
        if (coord != axis.Coord && coord != axis.Coord + 2) { gBoxes[i] = 0f; return; }
        float c = boxes[bk * 4 + axis.Coord], half = 0.5f * boxes[bk * 4 + 2 + axis.Coord];
        float lo = c - half, hi = c + half;
        float dLo = 0f, dHi = 0f;
        for (int n = 0; n < axis.Count; n++)
        {
            float cc = axis.First + n * axis.Stride, cellLo = cc - 0.5f * axis.Size, cellHi = cc + 0.5f * axis.Size;
            float right = XMath.Min(hi, cellHi), left = XMath.Max(lo, cellLo);
            if (right <= left) continue;
            float gv = g[bk * axis.Count + n] / axis.Size;
            if (hi < cellHi) dHi += gv;
            if (lo > cellLo) dLo -= gv;
        }
        // lo = c − w/2, hi = c + w/2
        gBoxes[i] = coord == axis.Coord ? dLo + dHi : 0.5f * (dHi - dLo);
    }
}
