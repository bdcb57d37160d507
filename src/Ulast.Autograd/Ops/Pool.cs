using Ulast.Kernels.Host;

namespace Ulast.Autograd;

public static partial class Ops
{
    public static unsafe Tensor MaxPool2d(Tensor x, int kernel, int stride, int padding = 0)
    {
        if (x.Rank != 4) throw new ArgumentException($"MaxPool2d needs [N,C,H,W], got {x.ShapeString}.");
        if (padding * 2 > kernel) throw new ArgumentException("MaxPool2d: padding must be at most half the kernel.");
        var p = new PoolParams(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], kernel, stride, padding);
        var y = Tensor.Result(x.Device, new[] { p.N, p.C, p.Ho, p.Wo }, "maxpool2d", new[] { x }, _ => g =>
        {
            var dx = Tensor.Empty(x.Device, x.Shape);
            if (x.Device.RunsOnHost(MaxPoolKernels.Backward)) HostMaxPool.Backward(p, x.HostPointer, g.HostPointer, dx.HostPointer);
            else x.Device.Kernels.Launch(MaxPoolKernels.Backward, p.InputSize, p, x.View, g.View, dx.View);
            Tensor.AccumulateGrad(x, dx);
        });
        if (x.Device.RunsOnHost(MaxPoolKernels.Forward)) HostMaxPool.Forward(p, x.HostPointer, y.HostPointer);
        else x.Device.Kernels.Launch(MaxPoolKernels.Forward, p.OutputSize, p, x.View, y.View);
        return y;
    }
}
