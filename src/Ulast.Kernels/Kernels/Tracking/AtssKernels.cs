using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

/// <summary>
/// ATSS label assignment (Zhang et al., CVPR 2020) as ULAST uses it: the TopK anchors whose centres
/// are closest to the box centre are candidates; threshold = mean + std (unbiased) of their IoUs;
/// positive = candidate with IoU ≥ threshold whose centre lies strictly inside the box.
/// Anchors [K,4] and boxes [B,4] are (cx, cy, w, h). Ties in distance go to the lower anchor index.
/// </summary>
public static class AtssKernels
{
    /// <summary>
    /// One thread per sample: the TopK-th closest anchor as a (distance, index) pair, found by TopK
    /// selection passes over the anchors (each finds the next pair in lexicographic order). Written as
    /// [distance, index] into kth[b·2].
    /// </summary>
    [UlastKernel]
    public static void KthClosest(Index1D b, int k, int topK, ArrayView<float> anchors, ArrayView<float> boxes, ArrayView<float> kth)
    {
        float gx = boxes[b * 4], gy = boxes[b * 4 + 1];
        float lastD = -1f;
        int lastJ = -1;
        int passes = topK < k ? topK : k;
        for (int pass = 0; pass < passes; pass++)
        {
            float bestD = float.MaxValue;
            int bestJ = -1;
            for (int j = 0; j < k; j++)
            {
                float ex = anchors[j * 4] - gx, ey = anchors[j * 4 + 1] - gy, e = ex * ex + ey * ey;
                bool after = e > lastD || (e == lastD && j > lastJ);
                bool before = e < bestD || (e == bestD && j < bestJ);
                if (after && before) { bestD = e; bestJ = j; }
            }
            lastD = bestD;
            lastJ = bestJ;
        }
        kth[b * 2] = lastD;
        kth[b * 2 + 1] = lastJ;
    }

    /// <summary>One thread per (sample, anchor): is it among the TopK closest, and its IoU with the box.</summary>
    [UlastKernel]
    public static void Candidates(Index1D i, int k, ArrayView<float> anchors, ArrayView<float> boxes, ArrayView<float> kth,
        ArrayView<float> candidate, ArrayView<float> iou)
    {
        int b = i / k, a = i % k;
        float gx = boxes[b * 4], gy = boxes[b * 4 + 1];
        float dx = anchors[a * 4] - gx, dy = anchors[a * 4 + 1] - gy, d = dx * dx + dy * dy;
        float kd = kth[b * 2];
        int kj = (int)kth[b * 2 + 1];
        candidate[i] = d < kd || (d == kd && a <= kj) ? 1f : 0f;
        iou[i] = BoxMath.Iou(anchors[a * 4], anchors[a * 4 + 1], anchors[a * 4 + 2], anchors[a * 4 + 3],
            boxes[b * 4], boxes[b * 4 + 1], boxes[b * 4 + 2], boxes[b * 4 + 3]);
    }

    /// <summary>One thread per sample: the threshold, then labels [B,K] and regression targets [B,K,4] (dx, dy, dw, dh).</summary>
    [UlastKernel]
    public static void Assign(Index1D b, int k, ArrayView<float> anchors, ArrayView<float> boxes, ArrayView<float> candidate,
        ArrayView<float> iou, ArrayView<float> threshold, ArrayView<float> labels, ArrayView<float> targets)
    {
        float gx = boxes[b * 4], gy = boxes[b * 4 + 1], gw = boxes[b * 4 + 2], gh = boxes[b * 4 + 3];
        bool valid = gw > 0f && gh > 0f;
        float sum = 0f, n = 0f;
        for (int j = 0; j < k; j++) if (candidate[b * k + j] > 0.5f) { sum += iou[b * k + j]; n += 1f; }
        float mean = sum / XMath.Max(n, 1f), sq = 0f;
        for (int j = 0; j < k; j++) if (candidate[b * k + j] > 0.5f) { float e = iou[b * k + j] - mean; sq += e * e; }
        float thr = mean + (n > 1f ? XMath.Sqrt(sq / (n - 1f)) : 0f);
        threshold[b] = thr;
        for (int j = 0; j < k; j++)
        {
            float xa = anchors[j * 4], ya = anchors[j * 4 + 1], wa = anchors[j * 4 + 2], ha = anchors[j * 4 + 3];
            bool inside = xa > gx - 0.5f * gw && xa < gx + 0.5f * gw && ya > gy - 0.5f * gh && ya < gy + 0.5f * gh;
            bool positive = valid && candidate[b * k + j] > 0.5f && iou[b * k + j] >= thr && inside;
            labels[b * k + j] = positive ? 1f : 0f;
            int o = (b * k + j) * 4;
            targets[o] = (gx - xa) / wa;
            targets[o + 1] = (gy - ya) / ha;
            targets[o + 2] = valid ? XMath.Log(gw / wa) : 0f;
            targets[o + 3] = valid ? XMath.Log(gh / ha) : 0f;
        }
    }
}
