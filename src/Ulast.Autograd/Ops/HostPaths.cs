using System.Numerics.Tensors;

namespace Ulast.Autograd;

/// <summary>
/// SIMD host implementations (System.Numerics.Tensors) of the hottest element-wise kernels, used on the
/// CPU's host path for the layouts that dominate a network: same-shape operands, a per-channel operand
/// ([1,C,1,1] against [N,C,H,W]) and a per-sample plane ([N,1,H,W] against [N,C,H,W]). Each returns
/// false when it does not apply, and the kernel runs instead. Same contract as the kernels they stand
/// for, checked by the same reference tests.
/// </summary>
internal static unsafe class HostPaths
{
    private static Span<float> S(Tensor t) => new(t.HostPointer, t.Size);

    /// <summary>Runs the SIMD host routine on the CPU's host path, the kernel launch everywhere else.</summary>
    public static void Dispatch(Device dev, Action host, Action kernel)
    {
        if (dev.HostPath) { dev.Synchronize(); host(); }
        else kernel();
    }

    private static bool Ready(Tensor t)
    {
        if (!t.Device.HostPath) return false;
        t.Device.Synchronize();
        return true;
    }

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
        if (a.Size != y.Size) return false;
        Dims4 o = y.Dims, db = b.Dims;
        float* pa = a.HostPointer, pb = b.HostPointer, py = y.HostPointer;
        int plane = o.H * o.W;
        if (db.N == 1 && db.C == o.C && db.H == 1 && db.W == 1)
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
        if (db.N == o.N && db.C == 1 && db.H == o.H && db.W == o.W)
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
        return false;
    }

    public static bool Normalize(BatchNormParams p, Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, Tensor y)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BatchNormKernels.Normalize);
        float* px = x.HostPointer, py = y.HostPointer, m = mean.HostPointer, v = var.HostPointer, g = gamma.HostPointer, b = beta.HostPointer;
        for (int n = 0; n < p.N; n++)
            for (int c = 0; c < p.C; c++)
            {
                float scale = g[c] / MathF.Sqrt(v[c] + p.Eps), shift = b[c] - m[c] * scale;
                long off = ((long)n * p.C + c) * p.Plane;
                var dst = new Span<float>(py + off, p.Plane);
                TensorPrimitives.Multiply(new ReadOnlySpan<float>(px + off, p.Plane), scale, dst);
                TensorPrimitives.Add(dst, shift, dst);
            }
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

    /// <summary>
    /// Batch norm's gradients on whole planes: dβ = Σg, dγ = Σg·x̂ (plane sums in float, channel sums in double, as the
    /// kernel), and dx = k·g + b·(x − mean) + c0 — the kernels' formula regrouped per channel.
    /// </summary>
    public static bool BatchNormBackward(BatchNormParams p, bool training, Tensor g, Tensor x, Tensor mean, Tensor var, Tensor gamma,
        Tensor dBeta, Tensor dGamma, Tensor? dx)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BatchNormKernels.BackwardReduce);
        float* pg = g.HostPointer, px = x.HostPointer, pm = mean.HostPointer, pv = var.HostPointer, pgam = gamma.HostPointer;
        float* pdb = dBeta.HostPointer, pdg = dGamma.HostPointer;
        float* pdx = dx is null ? null : dx.HostPointer;
        Parallel.For(0, p.C, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
        {
            // Σg·(x − mean) on centred values: Σg·x − mean·Σg would cancel badly where the mean is large (raw pixels).
            float inv = 1f / MathF.Sqrt(pv[c] + p.Eps), m = pm[c];
            double sg = 0, sgx = 0;
            var tmp = System.Buffers.ArrayPool<float>.Shared.Rent(p.Plane);
            var centred = tmp.AsSpan(0, p.Plane);
            for (int n = 0; n < p.N; n++)
            {
                long off = ((long)n * p.C + c) * p.Plane;
                var gs = new ReadOnlySpan<float>(pg + off, p.Plane);
                sg += TensorPrimitives.Sum(gs);
                TensorPrimitives.Subtract(new ReadOnlySpan<float>(px + off, p.Plane), m, centred);
                sgx += TensorPrimitives.Dot(gs, centred);
            }
            System.Buffers.ArrayPool<float>.Shared.Return(tmp);
            float db = (float)sg, dg = (float)(sgx * inv);
            pdb[c] = db;
            pdg[c] = dg;
            if (pdx is null) return;
            float k = pgam[c] * inv, count = p.Count;
            // dx = k·g + bx·(x − mean) + c0: the kernel's γ/σ·(g − Σg/M − x̂·Σgx̂/M), again on centred values.
            float bx = training ? -k * inv * dg / count : 0f;
            float c0 = training ? -k * db / count : 0f;
            for (int n = 0; n < p.N; n++)
            {
                long off = ((long)n * p.C + c) * p.Plane;
                var dst = new Span<float>(pdx + off, p.Plane);
                if (training)
                {
                    TensorPrimitives.Subtract(new ReadOnlySpan<float>(px + off, p.Plane), m, dst);
                    TensorPrimitives.Multiply(dst, bx, dst);
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(pg + off, p.Plane), k, dst, dst);
                    TensorPrimitives.Add(dst, c0, dst);
                }
                else TensorPrimitives.Multiply(new ReadOnlySpan<float>(pg + off, p.Plane), k, dst);
            }
        });
        return true;
    }

    /// <summary>Batch statistics per channel in two passes (mean, then Σ(x − mean)²), channel sums in double, as the kernel.</summary>
    public static bool BatchNormStats(BatchNormParams p, Tensor x, Tensor mean, Tensor var)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BatchNormKernels.Stats);
        float* px = x.HostPointer, pm = mean.HostPointer, pv = var.HostPointer;
        Parallel.For(0, p.C, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
        {
            double s = 0;
            for (int n = 0; n < p.N; n++) s += TensorPrimitives.Sum(new ReadOnlySpan<float>(px + ((long)n * p.C + c) * p.Plane, p.Plane));
            double m = s / p.Count;
            float mf = (float)m;
            double v = 0;
            var tmp = System.Buffers.ArrayPool<float>.Shared.Rent(p.Plane);
            var t = tmp.AsSpan(0, p.Plane);
            for (int n = 0; n < p.N; n++)
            {
                TensorPrimitives.Subtract(new ReadOnlySpan<float>(px + ((long)n * p.C + c) * p.Plane, p.Plane), mf, t);
                v += TensorPrimitives.SumOfSquares(t);
            }
            System.Buffers.ArrayPool<float>.Shared.Return(tmp);
            pm[c] = mf;
            pv[c] = (float)(v / p.Count);
        });
        return true;
    }
}
