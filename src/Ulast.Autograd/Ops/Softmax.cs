namespace Ulast.Autograd;

public static partial class Ops
{
    /// <summary>Softmax over the last axis.</summary>
    public static Tensor Softmax(Tensor x)
    {
        int cols = x.Shape[^1], rows = x.Size / cols;
        var y = Tensor.Result(x.Device, x.Shape, "softmax", new[] { x }, self => g =>
        {
            var dx = Tensor.Empty(x.Device, x.Shape);
            if (!HostPaths.SoftmaxBackward(rows, cols, self, g, dx)) x.Device.Kernels.Launch(SoftmaxKernels.Backward, rows, cols, self.View, g.View, dx.View);
            Tensor.AccumulateGrad(x, dx);
        });
        if (!HostPaths.SoftmaxForward(rows, cols, x, y)) x.Device.Kernels.Launch(SoftmaxKernels.Forward, rows, cols, x.View, y.View);
        return y;
    }
}
