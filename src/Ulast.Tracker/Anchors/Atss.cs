namespace Ulast.Tracker.Anchors;

/// <summary>The result of ATSS: labels [B,K] (1/0), regression targets [B,K,4] (dx, dy, dw, dh) and thresholds [B].</summary>
public sealed record AtssLabels(Tensor Labels, Tensor Targets, Tensor Thresholds);

/// <summary>ATSS label assignment with the top 15 candidates (ULAST §2); see <see cref="AtssKernels"/>. No gradient.</summary>
public static class Atss
{
    public const int DefaultTopK = 15;

    /// <param name="anchors">[K,4] (cx, cy, w, h).</param>
    /// <param name="boxes">[B,4] pseudo boxes (cx, cy, w, h) in search-crop pixels.</param>
    public static AtssLabels Assign(Tensor anchors, Tensor boxes, int topK = DefaultTopK)
    {
        if (anchors.Rank != 2 || anchors.Shape[1] != 4 || boxes.Size % 4 != 0) throw new ArgumentException($"ATSS needs anchors [K,4] and boxes [B,4], got {anchors.ShapeString}, {boxes.ShapeString}.");
        int k = anchors.Shape[0], b = boxes.Size / 4;
        var dev = anchors.Device;
        var candidate = Tensor.Empty(dev, b, k);
        var iou = Tensor.Empty(dev, b, k);
        var labels = Tensor.Empty(dev, b, k);
        var targets = Tensor.Empty(dev, b, k, 4);
        var thresholds = Tensor.Empty(dev, b);
        var kth = Tensor.Empty(dev, b, 2);
        dev.Kernels.Launch(AtssKernels.KthClosest, b, k, topK, anchors.View, boxes.View, kth.View);
        dev.Kernels.Launch(AtssKernels.Candidates, b * k, k, anchors.View, boxes.View, kth.View, candidate.View, iou.View);
        kth.Dispose();
        dev.Kernels.Launch(AtssKernels.Assign, b, k, anchors.View, boxes.View, candidate.View, iou.View, thresholds.View, labels.View, targets.View);
        candidate.Dispose();
        iou.Dispose();
        return new AtssLabels(labels, targets, thresholds);
    }
}
