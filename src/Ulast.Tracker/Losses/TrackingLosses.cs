namespace Ulast.Tracker.Losses;

/// <summary>Per-sample classification and regression losses (ULAST §2: SiamRPN++/USOT style).</summary>
public static class TrackingLosses
{
    /// <summary>Weighted BCE with logits: 0.5·mean over positives + 0.5·mean over negatives, per sample → [B].</summary>
    public static Tensor Classification(Tensor logits, Tensor labels)
    {
        if (logits.Rank != 2 || labels.Size != logits.Size) throw new ArgumentException($"Classification loss needs logits [B,K] and labels [B,K], got {logits.ShapeString} and {labels.ShapeString}.");
        int b = logits.Shape[0], k = logits.Shape[1];
        var dev = logits.Device;
        var counts = Tensor.Empty(dev, b, 2);
        var loss = Tensor.Result(dev, new[] { b }, "bce_loss", new[] { logits }, _ => g =>
        {
            var d = Tensor.Empty(dev, logits.Shape);
            dev.Kernels.Launch(LossKernels.ClsBackward, logits.Size, k, logits.View, labels.View, counts.View, g.View, d.View);
            Tensor.AccumulateGrad(logits, d);
        });
        dev.Kernels.Launch(LossKernels.ClsForward, b, k, logits.View, labels.View, loss.View, counts.View);
        return loss;
    }

    /// <summary>Mean over positive anchors of −ln(IoU + ε) (or 1 − GIoU) against one target box per sample → [B].</summary>
    /// <param name="boxes">[B,K,4] decoded predictions (cx, cy, w, h).</param>
    /// <param name="target">[B,4] target boxes (cx, cy, w, h); not differentiated.</param>
    public static Tensor Regression(Tensor boxes, Tensor target, Tensor labels, bool giou = false)
    {
        if (boxes.Rank != 3 || boxes.Shape[2] != 4 || target.Size != boxes.Shape[0] * 4 || labels.Size != boxes.Shape[0] * boxes.Shape[1])
            throw new ArgumentException($"Regression loss needs boxes [B,K,4], target [B,4], labels [B,K]; got {boxes.ShapeString}, {target.ShapeString}, {labels.ShapeString}.");
        int b = boxes.Shape[0], k = boxes.Shape[1], mode = giou ? 1 : 0;
        var dev = boxes.Device;
        var counts = Tensor.Empty(dev, b);
        var loss = Tensor.Result(dev, new[] { b }, giou ? "giou_loss" : "iou_loss", new[] { boxes }, _ => g =>
        {
            var d = Tensor.Empty(dev, boxes.Shape);
            dev.Kernels.Launch(LossKernels.IouBackward, b * k, k, mode, boxes.View, target.View, labels.View, counts.View, g.View, d.View);
            Tensor.AccumulateGrad(boxes, d);
        });
        dev.Kernels.Launch(LossKernels.IouForward, b, k, mode, boxes.View, target.View, labels.View, loss.View, counts.View);
        return loss;
    }

    /// <summary>L = (1/B)·Σ_b w_b·(λ1·L_cls,b + λ2·L_reg,b); w may be null (all ones).</summary>
    public static Tensor Combine(Tensor cls, Tensor reg, Tensor? weights, float lambdaCls = 1f, float lambdaReg = 1.2f)
    {
        var perSample = Ops.Add(Ops.MulScalar(cls, lambdaCls), Ops.MulScalar(reg, lambdaReg));
        if (weights is not null) perSample = Ops.Mul(perSample, weights);
        return Ops.MeanAll(perSample);
    }
}
