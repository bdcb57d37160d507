using Ulast.Kernels.Host;

namespace Ulast.Autograd;

public static partial class Ops
{
    /// <summary>2-d convolution of x [N,Cin,H,W] with w [Cout,Cin/groups,KH,KW] (no bias: add one with <see cref="Add"/>).</summary>
    public static unsafe Tensor Conv2d(Tensor x, Tensor w, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
    {
        var p = ConvShape("Conv2d", x, w, stride, padding, dilation, groups);
        var dev = x.Device;
        var y = Tensor.Result(dev, new[] { p.N, p.Cout, p.Ho, p.Wo }, "conv2d", new[] { x, w }, _ => g =>
        {
            if (x.RequiresGrad)
            {
                var dx = Tensor.Empty(dev, x.Shape);
                if (dev.RunsOnHost(ConvKernels.BackwardInput)) HostConv.BackwardInput(dev.Tuning, p, g.HostPointer, w.HostPointer, dx.HostPointer);
                else dev.Kernels.Launch(ConvKernels.BackwardInput, p.InputSize, p, g.View, w.View, dx.View);
                Tensor.AccumulateGrad(x, dx);
            }
            if (w.RequiresGrad)
            {
                var dw = Tensor.Empty(dev, w.Shape);
                if (dev.RunsOnHost(ConvKernels.BackwardWeight)) HostConv.BackwardWeight(dev.Tuning, p, x.HostPointer, g.HostPointer, dw.HostPointer);
                else if (ConvKernels.WeightChunks(p) is var chunks && chunks == 1) dev.Kernels.Launch(ConvKernels.BackwardWeight, p.WeightSize, p, 1, x.View, g.View, dw.View);
                else
                {
                    using var partial = Tensor.Empty(dev, chunks * p.WeightSize);
                    dev.Kernels.Launch(ConvKernels.BackwardWeight, chunks * p.WeightSize, p, chunks, x.View, g.View, partial.View);
                    dev.Kernels.Launch(ConvKernels.SumChunks, p.WeightSize, p.WeightSize, chunks, partial.View, dw.View);
                }
                Tensor.AccumulateGrad(w, dw);
            }
        });
        if (dev.RunsOnHost(ConvKernels.Forward)) HostConv.Forward(dev.Tuning, p, x.HostPointer, w.HostPointer, y.HostPointer);
        else dev.Kernels.Launch(ConvKernels.Forward, p.OutputSize, p, x.View, w.View, y.View);
        return y;
    }

    /// <summary>The convolution of x [N,Cin,H,W] by w [Cout,Cin/groups,KH,KW], its shapes checked (<paramref name="op"/> names it in errors).</summary>
    private static ConvParams ConvShape(string op, Tensor x, Tensor w, int stride, int padding, int dilation, int groups)
    {
        if (x.Rank != 4 || w.Rank != 4) throw new ArgumentException($"{op} needs x [N,C,H,W] and w [Co,Ci/g,Kh,Kw], got {x.ShapeString} and {w.ShapeString}.");
        if (w.Shape[1] * groups != x.Shape[1]) throw new ArgumentException($"{op}: weight {w.ShapeString} with groups={groups} does not take {x.Shape[1]} input channels.");
        return new ConvParams(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], w.Shape[0], w.Shape[2], w.Shape[3],
            stride, stride, padding, padding, dilation, dilation, groups);
    }
}
