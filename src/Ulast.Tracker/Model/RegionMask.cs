using Ulast.Tracker.Anchors;

namespace Ulast.Tracker.Model;

/// <summary>Where the search-feature grid lies in the crop and which predictions count (ULAST §5).</summary>
public sealed record RegionMaskConfig
{
    /// <summary>Search feature map size (31 for a 255 crop at stride 8).</summary>
    public int GridSize { get; init; } = 31;
    public int Stride { get; init; } = 8;
    public int CropSize { get; init; } = 255;
    /// <summary>Only boxes whose score exceeds this count (TH = 0 was best in the paper's ablation).</summary>
    public float Threshold { get; init; } = 0f;

    /// <summary>Centre of cell 0: (crop − stride·(grid − 1)) / 2, so the grid sits centred in the crop.</summary>
    public float FirstCentre => (CropSize - Stride * (GridSize - 1)) / 2f;

    public CellAxis Axis(int coord) => new(GridSize, FirstCentre, Stride, Stride, coord);
}

/// <summary>
/// The differentiable region mask: M = Σ_k 1(s_k > TH)·s_k·G^k / Σ_k 1(s_k > TH)·s_k, with G^k_ij the
/// fraction of cell (i, j) covered by box k. Because G^k_ij = Ox[k, j]·Oy[k, i] (x and y overlaps
/// multiply), M = (Oy ⊙ a)ᵀ · Ox with a_k the normalised gated score: one batched GEMM. Gradients reach
/// the boxes (through the overlaps) and the scores (through a); the gate itself is a constant.
/// </summary>
public static class RegionMask
{
    /// <param name="boxes">[B, K, 4] as (cx, cy, w, h) in crop pixels.</param>
    /// <param name="scores">[B, K] probabilities (sigmoid of the classification logits).</param>
    /// <returns>[B, H, W] with values in [0, 1].</returns>
    public static Tensor Build(Tensor boxes, Tensor scores, RegionMaskConfig config)
    {
        if (boxes.Rank != 3 || scores.Rank != 2 || boxes.Shape[0] != scores.Shape[0] || boxes.Shape[1] != scores.Shape[1])
            throw new ArgumentException($"RegionMask needs boxes [B,K,4] and scores [B,K], got {boxes.ShapeString} and {scores.ShapeString}.");
        int b = boxes.Shape[0], k = boxes.Shape[1];
        var ox = BoxOps.CellOverlap(boxes, config.Axis(0));                 // [B, K, W]
        var oy = BoxOps.CellOverlap(boxes, config.Axis(1));                 // [B, K, H]
        var gated = Ops.Mul(scores, Ops.Step(scores, config.Threshold));    // 1(s > TH)·s
        var total = Ops.AddScalar(Ops.Sum(gated, new[] { 1 }, keepDim: true), 1e-12f);
        var a = Ops.Div(gated, total).Reshape(b, k, 1);
        return Ops.MatMul(Ops.Mul(oy, a), ox, transA: true);             // [B, H, W]
    }

    /// <summary>The mask of one box per sample with score 1 (the pseudo-label mask M̄ of §7). boxes: [B, 4].</summary>
    public static Tensor OfBoxes(Tensor boxes, RegionMaskConfig config)
    {
        using var _ = GradMode.NoGrad();
        int b = boxes.Shape[0];
        var ones = Tensor.Full(boxes.Device, 1f, b, 1);
        return Build(boxes.Reshape(b, 1, 4), ones, config with { Threshold = 0f });
    }
}
