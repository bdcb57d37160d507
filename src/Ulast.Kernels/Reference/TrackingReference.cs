namespace Ulast.Kernels.Reference;

/// <summary>Double-precision references for ATSS and the region mask, written from the definitions.</summary>
public static class TrackingReference
{
    public static double Iou(double acx, double acy, double aw, double ah, double bcx, double bcy, double bw, double bh)
    {
        double iw = Math.Max(0, Math.Min(acx + aw / 2, bcx + bw / 2) - Math.Max(acx - aw / 2, bcx - bw / 2));
        double ih = Math.Max(0, Math.Min(acy + ah / 2, bcy + bh / 2) - Math.Max(acy - ah / 2, bcy - bh / 2));
        double inter = iw * ih, union = aw * ah + bw * bh - inter;
        return union > 0 ? inter / union : 0;
    }

    /// <summary>ATSS by sorting: labels (1/0) per anchor for one box.</summary>
    public static int[] Atss(float[] anchors, float[] box, int topK)
    {
        int k = anchors.Length / 4;
        double gx = box[0], gy = box[1], gw = box[2], gh = box[3];
        var order = Enumerable.Range(0, k)
            .OrderBy(a => (double)((anchors[a * 4] - (float)gx) * (anchors[a * 4] - (float)gx) + (anchors[a * 4 + 1] - (float)gy) * (anchors[a * 4 + 1] - (float)gy)))
            .ThenBy(a => a).Take(topK).ToArray();
        var ious = order.Select(a => Iou(anchors[a * 4], anchors[a * 4 + 1], anchors[a * 4 + 2], anchors[a * 4 + 3], gx, gy, gw, gh)).ToArray();
        double mean = ious.Average();
        double std = ious.Length > 1 ? Math.Sqrt(ious.Sum(v => (v - mean) * (v - mean)) / (ious.Length - 1)) : 0;
        var labels = new int[k];
        if (gw <= 0 || gh <= 0) return labels;
        for (int n = 0; n < order.Length; n++)
        {
            int a = order[n];
            double xa = anchors[a * 4], ya = anchors[a * 4 + 1];
            bool inside = xa > gx - gw / 2 && xa < gx + gw / 2 && ya > gy - gh / 2 && ya < gy + gh / 2;
            if (ious[n] >= mean + std && inside) labels[a] = 1;
        }
        return labels;
    }

    /// <summary>M_ij = Σ_k 1(s_k > TH)·s_k·area(box_k ∩ cell_ij)/area(cell) / Σ_k 1(s_k > TH)·s_k for one sample.</summary>
    public static double[] RegionMask(float[] boxes, float[] scores, int grid, float first, float stride, float threshold)
    {
        var m = new double[grid * grid];
        double total = 0;
        for (int k = 0; k < scores.Length; k++) if (scores[k] > threshold) total += scores[k];
        if (total == 0) return m;
        for (int k = 0; k < scores.Length; k++)
        {
            if (scores[k] <= threshold) continue;
            double x1 = boxes[k * 4] - boxes[k * 4 + 2] / 2.0, x2 = boxes[k * 4] + boxes[k * 4 + 2] / 2.0;
            double y1 = boxes[k * 4 + 1] - boxes[k * 4 + 3] / 2.0, y2 = boxes[k * 4 + 1] + boxes[k * 4 + 3] / 2.0;
            for (int i = 0; i < grid; i++)
                for (int j = 0; j < grid; j++)
                {
                    double cx = first + stride * j, cy = first + stride * i;
                    double ox = Math.Max(0, Math.Min(x2, cx + stride / 2.0) - Math.Max(x1, cx - stride / 2.0));
                    double oy = Math.Max(0, Math.Min(y2, cy + stride / 2.0) - Math.Max(y1, cy - stride / 2.0));
                    m[i * grid + j] += scores[k] * ox * oy / (stride * stride) / total;
                }
        }
        return m;
    }
}
