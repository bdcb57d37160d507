using System.Numerics.Tensors;

namespace Ulast.Autograd;

/// <summary>The host path of the elementwise ops (see <see cref="HostPaths"/>).</summary>
internal static unsafe partial class HostPaths
{
    public static bool Unary(UnaryOp op, Tensor x, Tensor y)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(UnaryKernels.Forward);
        switch (op)
        {
            case UnaryOp.Relu: TensorPrimitives.Max(S(x), 0f, S(y)); break;
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(S(x), S(y)); break;
            case UnaryOp.Exp: TensorPrimitives.Exp(S(x), S(y)); break;
            default: TensorPrimitives.Log(S(x), S(y)); break;
        }
        return true;
    }

    public static bool Affine(Tensor x, Tensor y, float a, float b)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(FillKernels.Affine);
        TensorPrimitives.Multiply(S(x), a, S(y));
        if (b != 0f) TensorPrimitives.Add(S(y), b, S(y));
        return true;
    }

    private static void Apply(BinaryOp op, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            default: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    private static void Apply(BinaryOp op, ReadOnlySpan<float> a, float b, Span<float> y)
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(a, b, y); break;
            case BinaryOp.Sub: TensorPrimitives.Subtract(a, b, y); break;
            case BinaryOp.Mul: TensorPrimitives.Multiply(a, b, y); break;
            default: TensorPrimitives.Divide(a, b, y); break;
        }
    }

    public static bool Binary(BinaryOp op, Tensor a, Tensor b, Tensor y)
    {
        if (!Ready(a)) return false;
        if (a.Size == y.Size && b.Size == y.Size)
        {
            a.Device.Kernels.RecordHost(BroadcastKernels.Binary);
            Apply(op, S(a), S(b), S(y));
            return true;
        }
        Dims4 o = y.Dims, db = b.Dims;
        float* pa = a.HostPointer, pb = b.HostPointer, py = y.HostPointer;
        int plane = o.H * o.W;
        if (a.Size == y.Size && db.N == 1 && db.C == o.C && db.H == 1 && db.W == 1)
        {
            // per-channel operand: a bias or a BN scale
            a.Device.Kernels.RecordHost(BroadcastKernels.Binary);
            for (int n = 0; n < o.N; n++)
                for (int c = 0; c < o.C; c++)
                {
                    long off = ((long)n * o.C + c) * plane;
                    Apply(op, new ReadOnlySpan<float>(pa + off, plane), pb[c], new Span<float>(py + off, plane));
                }
            return true;
        }
        if (a.Size == y.Size && db.N == o.N && db.C == 1 && db.H == o.H && db.W == o.W)
        {
            // per-sample plane: a mask over all channels
            a.Device.Kernels.RecordHost(BroadcastKernels.Binary);
            for (int n = 0; n < o.N; n++)
                for (int c = 0; c < o.C; c++)
                {
                    long off = ((long)n * o.C + c) * plane;
                    Apply(op, new ReadOnlySpan<float>(pa + off, plane), new ReadOnlySpan<float>(pb + (long)n * plane, plane), new Span<float>(py + off, plane));
                }
            return true;
        }
        if (a.Size == y.Size && db.N == o.N && db.C == o.C && db.H == o.H && db.W == 1)
        {
            // a scalar per row: weights over the last axis (the region mask's scores times overlaps)
            a.Device.Kernels.RecordHost(BroadcastKernels.Binary);
            long rows = (long)o.N * o.C * o.H;
            for (long r = 0; r < rows; r++)
                Apply(op, new ReadOnlySpan<float>(pa + r * o.W, o.W), pb[r], new Span<float>(py + r * o.W, o.W));
            return true;
        }
        int sample = o.C * plane;
        if (a.Size == y.Size && db.N == o.N && db.C == 1 && db.H == 1 && db.W == 1)
        {
            // a scalar per sample: the discriminative filter's sample weights
            a.Device.Kernels.RecordHost(BroadcastKernels.Binary);
            for (int n = 0; n < o.N; n++)
                Apply(op, new ReadOnlySpan<float>(pa + (long)n * sample, sample), pb[n], new Span<float>(py + (long)n * sample, sample));
            return true;
        }
        if (a.Size == y.Size && o.N > 1 && db.N == 1 && db.C == o.C && db.H == o.H && db.W == o.W)
        {
            // one operand repeated for every sample: the filter's kernel, shared by its samples
            a.Device.Kernels.RecordHost(BroadcastKernels.Binary);
            for (int n = 0; n < o.N; n++)
                Apply(op, new ReadOnlySpan<float>(pa + (long)n * sample, sample), new ReadOnlySpan<float>(pb, sample), new Span<float>(py + (long)n * sample, sample));
            return true;
        }
        // any other broadcast: a plain loop over the output (the kernel's arithmetic, element for element)
        a.Device.Kernels.RecordHost(BroadcastKernels.Binary);
        var bp = new BroadcastParams(o, a.Dims, db, op);
        ForOutputRows(o, o.N > 1, (n, c, h) =>
        {
            float* row = py + (((long)n * o.C + c) * o.H + h) * o.W;
            for (int w = 0; w < o.W; w++)
            {
                float va = pa[bp.A.Broadcast(n, c, h, w)], vb = pb[bp.B.Broadcast(n, c, h, w)];
                row[w] = bp.Op == 0 ? va + vb : bp.Op == 1 ? va - vb : bp.Op == 2 ? va * vb : va / vb;
            }
        });
        return true;
    }

    /// <summary>
    /// The gradient of a binary op for side 0 (a) or 1 (b), as <see cref="BroadcastKernels.BinaryBackward"/>: each
    /// element of that side sums g·∂y/∂side over the output elements it was broadcast to, in the output's memory
    /// order — the kernel's order, so the sums are the kernel's to the bit. Outputs are split over samples when
    /// the side has one slice per sample (its slices are then disjoint).
    /// </summary>
    public static bool BinaryBackward(BroadcastParams p, int side, Tensor a, Tensor b, Tensor g, Tensor d)
    {
        if (!Ready(g)) return false;
        g.Device.Kernels.RecordHost(BroadcastKernels.BinaryBackward);
        var t = side == 0 ? p.A : p.B;
        var o = p.Out;
        float* pa = a.HostPointer, pb = b.HostPointer, pg = g.HostPointer, pd = d.HostPointer;
        if (p.Op == 2 && MulBackward(o, p.A, p.B, side, pa, pb, pg, pd)) return true;
        if (p.Op != 3 && WholeSampleBackward(o, p.A, p.B, p.Op, side, pa, pb, pg, pd)) return true;
        new Span<float>(pd, t.Size).Clear();
        ForOutputRows(o, t.N == o.N && o.N > 1, (n, c, h) =>
        {
            float* gr = pg + (((long)n * o.C + c) * o.H + h) * o.W;
            for (int w = 0; w < o.W; w++)
            {
                float local;
                if (p.Op == 0) local = 1f;
                else if (p.Op == 1) local = side == 0 ? 1f : -1f;
                else if (p.Op == 2) local = side == 0 ? pb[p.B.Broadcast(n, c, h, w)] : pa[p.A.Broadcast(n, c, h, w)];
                else
                {
                    float vb = pb[p.B.Broadcast(n, c, h, w)];
                    local = side == 0 ? 1f / vb : -pa[p.A.Broadcast(n, c, h, w)] / (vb * vb);
                }
                pd[t.Broadcast(n, c, h, w)] += gr[w] * local;
            }
        });
        return true;
    }

    /// <summary>
    /// The product's gradient for the cycle's two broadcasts, a full A against B = a mask plane per sample [N,1,H,W] or
    /// a scalar per row [N,C,H,1]: the general loop computed two broadcast indices per element, a large share of a
    /// cycle step's region masks and CPT inputs. Same arithmetic in the same order: dA = g·B, and dB sums g·A from 0 over the
    /// channels (plane) or along the row, one rounded product added at a time.
    /// </summary>
    private static bool MulBackward(Dims4 o, Dims4 da, Dims4 db, int side, float* pa, float* pb, float* pg, float* pd)
    {
        if (da.N != o.N || da.C != o.C || da.H != o.H || da.W != o.W) return false;
        bool plane = db.N == o.N && db.C == 1 && db.H == o.H && db.W == o.W;
        bool rowScalar = db.N == o.N && db.C == o.C && db.H == o.H && db.W == 1;
        if (!plane && !rowScalar) return false;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        if (plane)
        {
            int hw = o.H * o.W;
            Parallel.For(0, o.N, options, n =>
            {
                float* bn = pb + (long)n * hw;
                if (side == 0)
                    for (int c = 0; c < o.C; c++)
                    {
                        long off = ((long)n * o.C + c) * hw;
                        TensorPrimitives.Multiply(new ReadOnlySpan<float>(pg + off, hw), new ReadOnlySpan<float>(bn, hw), new Span<float>(pd + off, hw));
                    }
                else
                {
                    float* dn = pd + (long)n * hw;
                    new Span<float>(dn, hw).Clear();
                    for (int c = 0; c < o.C; c++)
                    {
                        long off = ((long)n * o.C + c) * hw;
                        AddProducts(pg + off, pa + off, dn, hw);
                    }
                }
            });
            return true;
        }
        long rows = (long)o.N * o.C * o.H;
        int w = o.W, chunks = (int)Math.Min(rows, 4L * Environment.ProcessorCount);
        Parallel.For(0, chunks, options, t =>
        {
            for (long r = rows * t / chunks, end = rows * (t + 1) / chunks; r < end; r++)
            {
                float* gr = pg + r * w;
                if (side == 0) TensorPrimitives.Multiply(new ReadOnlySpan<float>(gr, w), pb[r], new Span<float>(pd + r * w, w));
                else
                {
                    float* ar = pa + r * w;
                    float acc = 0f;
                    for (int x = 0; x < w; x++) acc += gr[x] * ar[x];
                    pd[r] = acc;
                }
            }
        });
        return true;
    }

    /// <summary>
    /// Gradients of +, − and · whose broadcast is whole samples: both operands of the output's shape, b a scalar per
    /// sample [N,1,1,1], or b one sample repeated [1,C,H,W] (the discriminative filter's ridge regression, where the
    /// general loop computed two broadcast indices per element). Same arithmetic in the same order as the kernel: each
    /// element of a full side is one rounded product (or ±g); a repeated b sums g·∂y/∂b over the samples in order from 0.
    /// </summary>
    private static bool WholeSampleBackward(Dims4 o, Dims4 da, Dims4 db, int op, int side, float* pa, float* pb, float* pg, float* pd)
    {
        bool aFull = da.N == o.N && da.C == o.C && da.H == o.H && da.W == o.W;
        if (!aFull) return false;
        bool bFull = db.N == o.N && db.C == o.C && db.H == o.H && db.W == o.W;
        bool bPerSample = !bFull && db.N == o.N && db.C == 1 && db.H == 1 && db.W == 1;
        bool bRepeated = !bFull && o.N > 1 && db.N == 1 && db.C == o.C && db.H == o.H && db.W == o.W;
        int sample = o.C * o.H * o.W;
        long size = (long)o.N * sample;
        ReadOnlySpan<float> G(int n) => new(pg + (long)n * sample, sample);
        if (side == 0 || bFull)
        {
            if (side == 1 && op == 0) return false;
            if (side == 1 && op == 1) { TensorPrimitives.Negate(new ReadOnlySpan<float>(pg, (int)size), new Span<float>(pd, (int)size)); return true; }
            if (op != 2) return false;   // the side-0 gradient of + and − is g itself (copied by the caller)
            float* other = side == 0 ? pb : pa;
            if (bFull) { TensorPrimitives.Multiply(new ReadOnlySpan<float>(pg, (int)size), new ReadOnlySpan<float>(other, (int)size), new Span<float>(pd, (int)size)); return true; }
            if (!bPerSample && !bRepeated) return false;
            for (int n = 0; n < o.N; n++)
            {
                var d = new Span<float>(pd + (long)n * sample, sample);
                if (bPerSample) TensorPrimitives.Multiply(G(n), pb[n], d);
                else TensorPrimitives.Multiply(G(n), new ReadOnlySpan<float>(pb, sample), d);
            }
            return true;
        }
        if (!bRepeated || op == 2) return false;
        var acc = new Span<float>(pd, sample);
        acc.Clear();
        for (int n = 0; n < o.N; n++)
            if (op == 0) TensorPrimitives.Add(acc, G(n), acc);
            else TensorPrimitives.Subtract(acc, G(n), acc);
        return true;
    }

    /// <summary>ReLU's gradient: dx = g where x &gt; 0, else 0 (the same rule as <see cref="UnaryKernels.Backward"/>).</summary>
    public static bool ReluBackward(Tensor x, Tensor g, Tensor dx)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(UnaryKernels.Backward);
        float* px = x.HostPointer, pg = g.HostPointer, pd = dx.HostPointer;
        int n = x.Size, w = System.Numerics.Vector<float>.Count, i = 0;
        var zero = System.Numerics.Vector<float>.Zero;
        for (; i <= n - w; i += w)
        {
            var vx = System.Numerics.Vector.Load(px + i);
            System.Numerics.Vector.Store(System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(vx, zero), System.Numerics.Vector.Load(pg + i), zero), pd + i);
        }
        for (; i < n; i++) pd[i] = px[i] > 0f ? pg[i] : 0f;
        return true;
    }
}
