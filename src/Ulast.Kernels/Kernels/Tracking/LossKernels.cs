using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

/// <summary>
/// Per-sample losses over K anchors. Labels are 1 (positive), 0 (negative) or −1 (ignored).
/// Classification: 0.5·mean over positives of BCE(x, 1) + 0.5·mean over negatives of BCE(x, 0).
/// Regression: mean over positives of the IoU or GIoU loss between decoded box and target box.
/// The forward pass writes the class counts the backward pass needs ([B,2]: positives, negatives).
/// </summary>
public static class LossKernels
{
    /// <summary>Numerically safe BCE with logits: max(x,0) − x·y + log(1 + e^−|x|).</summary>
    public static float Bce(float x, float y) => XMath.Max(x, 0f) - x * y + XMath.Log(1f + XMath.Exp(-XMath.Abs(x)));

    private static float Sigmoid(float x) => x >= 0f ? 1f / (1f + XMath.Exp(-x)) : XMath.Exp(x) / (1f + XMath.Exp(x));

    [UlastKernel]
    public static void ClsForward(Index1D b, int k, ArrayView<float> logits, ArrayView<float> labels, ArrayView<float> loss, ArrayView<float> counts)
    {
        float pos = 0f, neg = 0f;
        int np = 0, nn = 0;
        for (int j = 0; j < k; j++)
        {
            float l = labels[b * k + j], x = logits[b * k + j];
            if (l > 0.5f) { pos += Bce(x, 1f); np++; }
            else if (l > -0.5f) { neg += Bce(x, 0f); nn++; }
        }
        loss[b] = (np > 0 ? 0.5f * pos / np : 0f) + (nn > 0 ? 0.5f * neg / nn : 0f);
        counts[b * 2] = np;
        counts[b * 2 + 1] = nn;
    }

    [UlastKernel]
    public static void ClsBackward(Index1D i, int k, ArrayView<float> logits, ArrayView<float> labels, ArrayView<float> counts,
        ArrayView<float> g, ArrayView<float> dLogits)
    {
        int b = i / k;
        float l = labels[i];
        float d = 0f;
        if (l > 0.5f) d = 0.5f * (Sigmoid(logits[i]) - 1f) / XMath.Max(1f, counts[b * 2]);
        else if (l > -0.5f) d = 0.5f * Sigmoid(logits[i]) / XMath.Max(1f, counts[b * 2 + 1]);
        dLogits[i] = g[b] * d;
    }

    [UlastKernel]
    public static void IouForward(Index1D b, int k, int mode, ArrayView<float> boxes, ArrayView<float> target, ArrayView<float> labels,
        ArrayView<float> loss, ArrayView<float> counts)
    {
        float sum = 0f;
        int np = 0;
        for (int j = 0; j < k; j++)
        {
            if (labels[b * k + j] <= 0.5f) continue;
            int o = (b * k + j) * 4;
            sum += BoxMath.Loss(mode, boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3],
                target[b * 4], target[b * 4 + 1], target[b * 4 + 2], target[b * 4 + 3], out _, out _, out _, out _);
            np++;
        }
        loss[b] = np > 0 ? sum / np : 0f;
        counts[b] = np;
    }

    [UlastKernel]
    public static void IouBackward(Index1D i, int k, int mode, ArrayView<float> boxes, ArrayView<float> target, ArrayView<float> labels,
        ArrayView<float> counts, ArrayView<float> g, ArrayView<float> dBoxes)
    {
        int b = i / k, o = i * 4;
        if (labels[i] <= 0.5f) { dBoxes[o] = 0f; dBoxes[o + 1] = 0f; dBoxes[o + 2] = 0f; dBoxes[o + 3] = 0f; return; }
        BoxMath.Loss(mode, boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3],
            target[b * 4], target[b * 4 + 1], target[b * 4 + 2], target[b * 4 + 3], out float dcx, out float dcy, out float dw, out float dh);
        float s = g[b] / XMath.Max(1f, counts[b]);
        dBoxes[o] = s * dcx; dBoxes[o + 1] = s * dcy; dBoxes[o + 2] = s * dw; dBoxes[o + 3] = s * dh;
    }
}
