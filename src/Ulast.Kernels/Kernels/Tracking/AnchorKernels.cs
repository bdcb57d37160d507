using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

/// <summary>
/// Anchor-relative box decoding. Anchors are [K,4] (cx, cy, w, h) in anchor-major order
/// k = (a·H + i)·W + j; deltas are [B, 4A, H, W] with channel = coord·A + a (pysot's layout);
/// boxes are [B, K, 4] (cx, cy, w, h).
/// </summary>
public static class AnchorKernels
{
    /// <summary>exp(dw) is clamped at this log-ratio (1000/16) so a wild delta cannot overflow.</summary>
    public const float MaxLogRatio = 4.135166556742356f;

    [UlastKernel]
    public static void Decode(Index1D i, int anchorsPerCell, int plane, ArrayView<float> anchors, ArrayView<float> deltas, ArrayView<float> boxes)
    {
        int k = i % (anchorsPerCell * plane), b = i / (anchorsPerCell * plane);
        int a = k / plane, q = k % plane;
        int baseOffset = b * 4 * anchorsPerCell * plane;
        float dx = deltas[baseOffset + (0 * anchorsPerCell + a) * plane + q];
        float dy = deltas[baseOffset + (1 * anchorsPerCell + a) * plane + q];
        float dw = XMath.Min(deltas[baseOffset + (2 * anchorsPerCell + a) * plane + q], MaxLogRatio);
        float dh = XMath.Min(deltas[baseOffset + (3 * anchorsPerCell + a) * plane + q], MaxLogRatio);
        float xa = anchors[k * 4], ya = anchors[k * 4 + 1], wa = anchors[k * 4 + 2], ha = anchors[k * 4 + 3];
        boxes[i * 4] = xa + dx * wa;
        boxes[i * 4 + 1] = ya + dy * ha;
        boxes[i * 4 + 2] = wa * XMath.Exp(dw);
        boxes[i * 4 + 3] = ha * XMath.Exp(dh);
    }

    /// <summary>d deltas from d boxes, one thread per delta element.</summary>
    [UlastKernel]
    public static void DecodeBackward(Index1D i, int anchorsPerCell, int plane, ArrayView<float> anchors, ArrayView<float> deltas,
        ArrayView<float> gBoxes, ArrayView<float> gDeltas)
    {
        int q = i % plane, ch = i / plane % (4 * anchorsPerCell), b = i / (plane * 4 * anchorsPerCell);
        int coord = ch / anchorsPerCell, a = ch % anchorsPerCell;
        int k = a * plane + q;
        int box = (b * anchorsPerCell * plane + k) * 4;
        float d = deltas[i];
        float g;
        if (coord == 0) g = gBoxes[box] * anchors[k * 4 + 2];
        else if (coord == 1) g = gBoxes[box + 1] * anchors[k * 4 + 3];
        else
        {
            float size = anchors[k * 4 + coord] * XMath.Exp(XMath.Min(d, MaxLogRatio));
            g = d < MaxLogRatio ? gBoxes[box + coord] * size : 0f;
        }
        gDeltas[i] = g;
    }
}
