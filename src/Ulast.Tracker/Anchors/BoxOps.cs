using Ulast.Kernels.Host;

namespace Ulast.Tracker.Anchors;

/// <summary>Differentiable box ops of the tracker.</summary>
public static class BoxOps
{
    /// <summary>Deltas [B, 4A, H, W] + anchors [K, 4] → boxes [B, K, 4] (cx, cy, w, h); see <see cref="AnchorKernels"/>.</summary>
    public static Tensor Decode(Tensor deltas, Tensor anchors, int anchorsPerCell)
    {
        if (deltas.Rank != 4 || deltas.Shape[1] != 4 * anchorsPerCell)
            throw new ArgumentException($"Decode needs deltas [B,{4 * anchorsPerCell},H,W], got {deltas.ShapeString}.");
        int b = deltas.Shape[0], plane = deltas.Shape[2] * deltas.Shape[3], k = anchorsPerCell * plane;
        if (anchors.Size != k * 4) throw new ArgumentException($"Decode: {anchors.ShapeString} anchors for {k} positions.");
        var dev = deltas.Device;
        var boxes = Tensor.Result(dev, new[] { b, k, 4 }, "decode", new[] { deltas }, _ => g =>
        {
            var d = Tensor.Empty(dev, deltas.Shape);
            if (dev.RunsOnHost(AnchorKernels.DecodeBackward)) unsafe { HostAnchors.DecodeBackward(b, anchorsPerCell, plane, anchors.HostPointer, deltas.HostPointer, g.HostPointer, d.HostPointer); }
            else dev.Kernels.Launch(AnchorKernels.DecodeBackward, deltas.Size, anchorsPerCell, plane, anchors.View, deltas.View, g.View, d.View);
            Tensor.AccumulateGrad(deltas, d);
        });
        if (dev.RunsOnHost(AnchorKernels.Decode)) unsafe { HostAnchors.Decode(b, anchorsPerCell, plane, anchors.HostPointer, deltas.HostPointer, boxes.HostPointer); }
        else dev.Kernels.Launch(AnchorKernels.Decode, b * k, anchorsPerCell, plane, anchors.View, deltas.View, boxes.View);
        return boxes;
    }

    /// <summary>Boxes [B, K, 4] → fraction of each cell of one axis they cover, [B, K, N]; see <see cref="OverlapKernels"/>.</summary>
    public static Tensor CellOverlap(Tensor boxes, CellAxis axis)
    {
        if (boxes.Rank != 3 || boxes.Shape[2] != 4) throw new ArgumentException($"CellOverlap needs boxes [B,K,4], got {boxes.ShapeString}.");
        int b = boxes.Shape[0], k = boxes.Shape[1];
        var dev = boxes.Device;
        var y = Tensor.Result(dev, new[] { b, k, axis.Count }, axis.Coord == 0 ? "overlap_x" : "overlap_y", new[] { boxes }, _ => g =>
        {
            var d = Tensor.Empty(dev, boxes.Shape);
            if (dev.RunsOnHost(OverlapKernels.Backward)) unsafe { HostOverlap.Backward(axis, boxes.HostPointer, b * k, g.HostPointer, d.HostPointer); }
            else dev.Kernels.Launch(OverlapKernels.Backward, boxes.Size, axis, boxes.View, g.View, d.View);
            Tensor.AccumulateGrad(boxes, d);
        });
        if (dev.RunsOnHost(OverlapKernels.Forward)) unsafe { HostOverlap.Forward(axis, boxes.HostPointer, b * k, y.HostPointer); }
        else dev.Kernels.Launch(OverlapKernels.Forward, y.Size, axis, boxes.View, y.View);
        return y;
    }
}
