namespace Ulast.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Bilinear crop-and-resize of x [N,C,H,W] to [N,C,outH,outW], one box per sample in boxes [N,4]
    /// (x1,y1,x2,y2, continuous pixel coordinates); outside the input, pad [C] is read.
    /// The gradient reaches x only (the crop window is a constant, as in ULAST's cycle).
    /// </summary>
    public static Tensor CropResize(Tensor x, Tensor boxes, Tensor pad, int outH, int outW)
    {
        if (x.Rank != 4 || boxes.Size != x.Shape[0] * 4 || pad.Size != x.Shape[1])
            throw new ArgumentException($"CropResize needs x [N,C,H,W], boxes [N,4] and pad [C]; got {x.ShapeString}, {boxes.ShapeString}, {pad.ShapeString}.");
        var p = new CropParams(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], outH, outW);
        var y = Tensor.Result(x.Device, new[] { p.N, p.C, outH, outW }, "crop", new[] { x }, _ => g =>
        {
            var dx = Tensor.Empty(x.Device, x.Shape);
            if (!HostPaths.CropBackward(p, boxes, g, dx))
                x.Device.Kernels.Launch(CropKernels.BackwardInput, p.InputSize, p, boxes.View, g.View, dx.View);
            Tensor.AccumulateGrad(x, dx);
        });
        if (!HostPaths.CropForward(p, x, boxes, pad, y))
            x.Device.Kernels.Launch(CropKernels.Forward, p.OutputSize, p, x.View, boxes.View, pad.View, y.View);
        return y;
    }
}
