using ILGPU.Algorithms;

namespace Ulast.Kernels.Host;

/// <summary>
/// <see cref="AnchorKernels"/> as plain loops for the CPU's host path: decoding ran on ILGPU's CPU accelerator on every
/// tracked frame and training step. The same operations in the same order (XMath included), so the same bits.
/// </summary>
public static unsafe class HostAnchors
{
    /// <param name="deltas">[B, 4A, H, W].</param>
    /// <param name="boxes">[B, K, 4] out, K = A·H·W.</param>
    public static void Decode(int batch, int anchorsPerCell, int plane, float* anchors, float* deltas, float* boxes)
    {
        int k = anchorsPerCell * plane;
        for (int b = 0; b < batch; b++)
        {
            float* d = deltas + (long)b * 4 * k;
            for (int a = 0; a < anchorsPerCell; a++)
                for (int q = 0; q < plane; q++)
                {
                    int kk = a * plane + q;
                    float dx = d[(0 * anchorsPerCell + a) * plane + q];
                    float dy = d[(1 * anchorsPerCell + a) * plane + q];
                    float dw = XMath.Min(d[(2 * anchorsPerCell + a) * plane + q], AnchorKernels.MaxLogRatio);
                    float dh = XMath.Min(d[(3 * anchorsPerCell + a) * plane + q], AnchorKernels.MaxLogRatio);
                    float xa = anchors[kk * 4], ya = anchors[kk * 4 + 1], wa = anchors[kk * 4 + 2], ha = anchors[kk * 4 + 3];
                    float* box = boxes + ((long)b * k + kk) * 4;
                    box[0] = xa + dx * wa;
                    box[1] = ya + dy * ha;
                    box[2] = wa * XMath.Exp(dw);
                    box[3] = ha * XMath.Exp(dh);
                }
        }
    }

    /// <summary>d deltas [B, 4A, H, W] from d boxes [B, K, 4].</summary>
    public static void DecodeBackward(int batch, int anchorsPerCell, int plane, float* anchors, float* deltas, float* gBoxes, float* gDeltas)
    {
        long size = (long)batch * 4 * anchorsPerCell * plane;
        for (long i = 0; i < size; i++)
        {
            int q = (int)(i % plane), ch = (int)(i / plane % (4 * anchorsPerCell)), b = (int)(i / (plane * 4 * anchorsPerCell));
            int coord = ch / anchorsPerCell, a = ch % anchorsPerCell;
            int k = a * plane + q;
            long box = ((long)b * anchorsPerCell * plane + k) * 4;
            float d = deltas[i];
            float g;
            if (coord == 0) g = gBoxes[box] * anchors[k * 4 + 2];
            else if (coord == 1) g = gBoxes[box + 1] * anchors[k * 4 + 3];
            else
            {
                float s = anchors[k * 4 + coord] * XMath.Exp(XMath.Min(d, AnchorKernels.MaxLogRatio));
                g = d < AnchorKernels.MaxLogRatio ? gBoxes[box + coord] * s : 0f;
            }
            gDeltas[i] = g;
        }
    }
}
