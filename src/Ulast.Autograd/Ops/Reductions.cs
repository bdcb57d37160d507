namespace Ulast.Autograd;

public static partial class Ops
{
    /// <summary>Sum over the given axes (negative axes count from the end).</summary>
    public static Tensor Sum(Tensor x, int[] axes, bool keepDim = false) => Reduce(x, axes, keepDim, mean: false);

    public static Tensor Mean(Tensor x, int[] axes, bool keepDim = false) => Reduce(x, axes, keepDim, mean: true);

    public static Tensor SumAll(Tensor x) => Reduce(x, Enumerable.Range(0, x.Rank).ToArray(), false, false);

    public static Tensor MeanAll(Tensor x) => Reduce(x, Enumerable.Range(0, x.Rank).ToArray(), false, true);

    private static Tensor Reduce(Tensor x, int[] axes, bool keepDim, bool mean)
    {
        var kept = (int[])x.Shape.Clone();
        int count = 1;
        foreach (var a0 in axes)
        {
            int a = a0 < 0 ? a0 + x.Rank : a0;
            if (a < 0 || a >= x.Rank) throw new ArgumentException($"Axis {a0} is out of range for {x.ShapeString}.");
            count *= kept[a] == 1 && x.Shape[a] == 1 ? 1 : x.Shape[a];
            kept[a] = 1;
        }
        var outShape = keepDim ? kept : kept.Where((_, i) => !axes.Select(a => a < 0 ? a + x.Rank : a).Contains(i)).ToArray();
        if (outShape.Length == 0) outShape = new[] { 1 };
        float scale = mean ? 1f / count : 1f;
        var src = x.Dims;
        var dst = Dims4.From(kept);
        var y = Tensor.Result(x.Device, outShape, mean ? "mean" : "sum", new[] { x }, _ => g =>
        {
            var dx = Tensor.Empty(x.Device, x.Shape);
            if (!HostPaths.BroadcastTo(dst, src, g, dx, scale))
                x.Device.Kernels.Launch(BroadcastKernels.BroadcastTo, x.Size, dst, src, g.View, dx.View, scale);
            Tensor.AccumulateGrad(x, dx);
        });
        if (!HostPaths.Reduce(src, dst, x, y, scale))
            x.Device.Kernels.Launch(BroadcastKernels.ReduceToShape, y.Size, src, dst, x.View, y.View, scale);
        return y;
    }
}
