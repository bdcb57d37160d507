namespace Ulast.Autograd;

/// <summary>Differentiable ops. Each launches its forward kernel and records a closure for its gradient.</summary>
public static partial class Ops
{
    public static Tensor Relu(Tensor x) => Unary(x, UnaryOp.Relu);
    public static Tensor Sigmoid(Tensor x) => Unary(x, UnaryOp.Sigmoid);
    public static Tensor Exp(Tensor x) => Unary(x, UnaryOp.Exp);
    public static Tensor Log(Tensor x) => Unary(x, UnaryOp.Log);

    public static Tensor Unary(Tensor x, UnaryOp op)
    {
        var y = Tensor.Result(x.Device, x.Shape, op.ToString().ToLowerInvariant(), new[] { x }, self => g =>
        {
            var dx = Tensor.Empty(x.Device, x.Shape);
            if (op != UnaryOp.Relu || !HostPaths.ReluBackward(x, g, dx))
                x.Device.Kernels.Launch(UnaryKernels.Backward, x.Size, (int)op, x.View, self.View, g.View, dx.View);
            Tensor.AccumulateGrad(x, dx);
        });
        if (!HostPaths.Unary(op, x, y)) x.Device.Kernels.Launch(UnaryKernels.Forward, x.Size, (int)op, x.View, y.View);
        return y;
    }

    /// <summary>y = a·x + b.</summary>
    public static Tensor Affine(Tensor x, float a, float b)
    {
        var y = Tensor.Result(x.Device, x.Shape, "affine", new[] { x }, _ => g =>
        {
            var dx = Tensor.Empty(x.Device, x.Shape);
            if (!HostPaths.Affine(g, dx, a, 0f)) x.Device.Kernels.Launch(FillKernels.Affine, x.Size, g.View, dx.View, a, 0f);
            Tensor.AccumulateGrad(x, dx);
        });
        if (!HostPaths.Affine(x, y, a, b)) x.Device.Kernels.Launch(FillKernels.Affine, x.Size, x.View, y.View, a, b);
        return y;
    }

    public static Tensor MulScalar(Tensor x, float a) => Affine(x, a, 0f);
    public static Tensor AddScalar(Tensor x, float b) => Affine(x, 1f, b);
    public static Tensor Neg(Tensor x) => Affine(x, -1f, 0f);

    public static Tensor Add(Tensor a, Tensor b) => Binary(a, b, BinaryOp.Add);
    public static Tensor Sub(Tensor a, Tensor b) => Binary(a, b, BinaryOp.Sub);
    public static Tensor Mul(Tensor a, Tensor b) => Binary(a, b, BinaryOp.Mul);
    public static Tensor Div(Tensor a, Tensor b) => Binary(a, b, BinaryOp.Div);

    /// <summary>NumPy-style broadcasting (shapes aligned on the right, size-1 dimensions stretch).</summary>
    public static int[] BroadcastShape(int[] a, int[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"Shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast.");
            r[i] = Math.Max(da, db);
        }
        return r;
    }

    public static Tensor Binary(Tensor a, Tensor b, BinaryOp op)
    {
        var shape = BroadcastShape(a.Shape, b.Shape);
        var p = new BroadcastParams(Dims4.From(shape), a.Dims, b.Dims, op);
        var y = Tensor.Result(a.Device, shape, op.ToString().ToLowerInvariant(), new[] { a, b }, _ => g =>
        {
            // Each operand's gradient: for a ± b (a) and a + b (b) on the host path, g itself when no broadcast reduces it.
            void Gradient(Tensor t, int side, bool identity)
            {
                if (!t.RequiresGrad) return;
                var d = Tensor.Empty(t.Device, t.Shape);
                if (identity && t.Size == g.Size && t.Device.HostPath) d.CopyFrom(g);
                else if (!HostPaths.BinaryBackward(p, side, a, b, g, d))
                    t.Device.Kernels.Launch(BroadcastKernels.BinaryBackward, t.Size, p, side, a.View, b.View, g.View, d.View);
                Tensor.AccumulateGrad(t, d);
            }
            Gradient(a, 0, op is BinaryOp.Add or BinaryOp.Sub);
            Gradient(b, 1, op == BinaryOp.Add);
        });
        if (!HostPaths.Binary(op, a, b, y)) a.Device.Kernels.Launch(BroadcastKernels.Binary, y.Size, p, a.View, b.View, y.View);
        return y;
    }
}
