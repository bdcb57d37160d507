namespace Ulast.Autograd;

public static partial class Ops
{
    private static int Plane(Tensor t)
    {
        if (t.Rank < 2) throw new ArgumentException($"Channel ops need at least [N,C], got {t.ShapeString}.");
        int p = 1;
        for (int i = 2; i < t.Rank; i++) p *= t.Shape[i];
        return p;
    }

    /// <summary>Concatenates along axis 1 (channels).</summary>
    public static Tensor Concat(params Tensor[] xs)
    {
        if (xs.Length == 0) throw new ArgumentException("Concat needs at least one tensor.");
        var first = xs[0];
        int plane = Plane(first), n = first.Shape[0];
        foreach (var x in xs)
            if (x.Rank != first.Rank || x.Shape[0] != n || Plane(x) != plane || !x.Shape.Skip(2).SequenceEqual(first.Shape.Skip(2)))
                throw new ArgumentException($"Concat: {x.ShapeString} does not match {first.ShapeString} outside the channel axis.");
        int total = xs.Sum(x => x.Shape[1]);
        var shape = (int[])first.Shape.Clone();
        shape[1] = total;
        var offsets = new int[xs.Length];
        for (int i = 1; i < xs.Length; i++) offsets[i] = offsets[i - 1] + xs[i - 1].Shape[1];
        var y = Tensor.Result(first.Device, shape, "concat", xs, _ => g =>
        {
            for (int i = 0; i < xs.Length; i++)
            {
                if (!xs[i].RequiresGrad) continue;
                var dx = Tensor.Empty(g.Device, xs[i].Shape);
                var p = new ChannelCopyParams(n, xs[i].Shape[1], plane, total, offsets[i], xs[i].Shape[1], 0);
                if (!HostPaths.ChannelCopy(p, g, dx)) g.Device.Kernels.Launch(ChannelKernels.Copy, p.Size, p, g.View, dx.View);
                Tensor.AccumulateGrad(xs[i], dx);
            }
        });
        for (int i = 0; i < xs.Length; i++)
        {
            var p = new ChannelCopyParams(n, xs[i].Shape[1], plane, xs[i].Shape[1], 0, total, offsets[i]);
            if (!HostPaths.ChannelCopy(p, xs[i], y)) first.Device.Kernels.Launch(ChannelKernels.Copy, p.Size, p, xs[i].View, y.View);
        }
        return y;
    }

    /// <summary>Channels [start, start+count) of axis 1.</summary>
    public static Tensor SliceChannels(Tensor x, int start, int count)
    {
        int plane = Plane(x), n = x.Shape[0], c = x.Shape[1];
        if (start < 0 || count <= 0 || start + count > c) throw new ArgumentException($"Channel slice [{start},{start + count}) is outside {x.ShapeString}.");
        var shape = (int[])x.Shape.Clone();
        shape[1] = count;
        var y = Tensor.Result(x.Device, shape, "slice", new[] { x }, _ => g =>
        {
            var dx = Tensor.Zeros(x.Device, x.Shape);
            var p = new ChannelCopyParams(n, count, plane, count, 0, c, start);
            if (!HostPaths.ChannelCopy(p, g, dx)) x.Device.Kernels.Launch(ChannelKernels.Copy, p.Size, p, g.View, dx.View);
            Tensor.AccumulateGrad(x, dx);
        });
        var fp = new ChannelCopyParams(n, count, plane, c, start, count, 0);
        if (!HostPaths.ChannelCopy(fp, x, y)) x.Device.Kernels.Launch(ChannelKernels.Copy, fp.Size, fp, x.View, y.View);
        return y;
    }
}
