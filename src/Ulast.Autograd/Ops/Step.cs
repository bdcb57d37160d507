namespace Ulast.Autograd;

public static partial class Ops
{
    /// <summary>1 where x > threshold, else 0. Not differentiable (a constant of the graph).</summary>
    public static Tensor Step(Tensor x, float threshold)
    {
        var y = Tensor.Empty(x.Device, x.Shape);
        y.Op = "step";
        x.Device.Kernels.Launch(StepKernels.Step, x.Size, x.View, y.View, threshold);
        return y;
    }
}
