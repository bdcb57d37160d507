using Ulast.Kernels.Host;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

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
    /// a scalar per row [N,C,H,1]: the general loop computed two broadcast indices per element (28 ms of a cycle step's
    /// 5 region masks and CPT inputs). Same arithmetic in the same order: dA = g·B, and dB sums g·A from 0 over the
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

    /// <summary>
    /// A reduction to a shape, as <see cref="BroadcastKernels.ReduceToShape"/>: each output element sums its region
    /// in memory order from 0, then scales. Outputs in parallel when there are many.
    /// </summary>
    public static bool Reduce(Dims4 src, Dims4 dst, Tensor x, Tensor y, float scale)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BroadcastKernels.ReduceToShape);
        float* px = x.HostPointer, py = y.HostPointer;
        void One(int i)
        {
            int tw = i % dst.W, th = i / dst.W % dst.H, tc = i / (dst.W * dst.H) % dst.C, tn = i / (dst.W * dst.H * dst.C);
            int n0 = dst.N == 1 ? 0 : tn, n1 = dst.N == 1 ? src.N : tn + 1;
            int c0 = dst.C == 1 ? 0 : tc, c1 = dst.C == 1 ? src.C : tc + 1;
            int h0 = dst.H == 1 ? 0 : th, h1 = dst.H == 1 ? src.H : th + 1;
            int w0 = dst.W == 1 ? 0 : tw, w1 = dst.W == 1 ? src.W : tw + 1;
            float acc = 0f;
            for (int n = n0; n < n1; n++)
                for (int c = c0; c < c1; c++)
                    for (int h = h0; h < h1; h++)
                    {
                        float* row = px + (((long)n * src.C + c) * src.H + h) * src.W;
                        for (int w = w0; w < w1; w++) acc += row[w];
                    }
            py[i] = acc * scale;
        }
        int outputs = dst.Size;
        if (outputs >= 4 * Environment.ProcessorCount && (long)src.Size >= 1 << 16)
            Parallel.For(0, outputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, One);
        else for (int i = 0; i < outputs; i++) One(i);
        return true;
    }

    /// <summary>The gradient of a reduction, as <see cref="BroadcastKernels.BroadcastTo"/>: y = scale · x broadcast to y's shape.</summary>
    public static bool BroadcastTo(Dims4 src, Dims4 dst, Tensor x, Tensor y, float scale)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BroadcastKernels.BroadcastTo);
        float* px = x.HostPointer, py = y.HostPointer;
        if (src.Size == 1) { new Span<float>(py, dst.Size).Fill(px[0] * scale); return true; }
        for (int n = 0; n < dst.N; n++)
            for (int c = 0; c < dst.C; c++)
                for (int h = 0; h < dst.H; h++)
                {
                    float* row = py + (((long)n * dst.C + c) * dst.H + h) * dst.W;
                    for (int w = 0; w < dst.W; w++) row[w] = px[src.Broadcast(n, c, h, w)] * scale;
                }
        return true;
    }

    /// <summary>d[i] += g[i]·a[i]: the product rounded, then added (no fused multiply-add, as the kernel).</summary>
    private static void AddProducts(float* g, float* a, float* d, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16)
                (Vector512.Load(d + i) + Vector512.Load(g + i) * Vector512.Load(a + i)).Store(d + i);
        for (; i < count; i++) d[i] += g[i] * a[i];
    }

    /// <summary>Runs body(n, c, h) for every output row, in memory order within a sample; samples in parallel when allowed.</summary>
    private static void ForOutputRows(Dims4 o, bool samplesInParallel, Action<int, int, int> body)
    {
        void Sample(int n)
        {
            for (int c = 0; c < o.C; c++)
                for (int h = 0; h < o.H; h++) body(n, c, h);
        }
        if (samplesInParallel) Parallel.For(0, o.N, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, Sample);
        else for (int n = 0; n < o.N; n++) Sample(n);
    }

    /// <summary>Bilinear crop-and-resize, as <see cref="CropKernels.Forward"/> (same arithmetic), a plane per task.</summary>
    public static bool CropForward(CropParams p, Tensor x, Tensor boxes, Tensor pad, Tensor y)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(CropKernels.Forward);
        float* px = x.HostPointer, pbox = boxes.HostPointer, ppad = pad.HostPointer, py = y.HostPointer;
        // Work units are bands of rows of a plane: one per plane left a core idle for a third of a tracked frame's
        // crop (3 planes on 2 cores). Each column's source position is computed once per unit, not once per pixel.
        const int bands = 4;
        Parallel.For(0, p.N * p.C * bands, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, unit =>
        {
            int nc = unit / bands, band = unit % bands;
            int n = nc / p.C, c = nc % p.C;
            float x1 = pbox[n * 4], y1 = pbox[n * 4 + 1], x2 = pbox[n * 4 + 2], y2 = pbox[n * 4 + 3];
            var plane = new FloatPlane(px + (long)nc * p.H * p.W, p.H, p.W, ppad[c]);
            BilinearBand.Resample(plane, x1, y1, x2, y2, p.OH, p.OW, band, bands, py + (long)nc * p.OH * p.OW);
        });
        return true;
    }

    /// <summary>
    /// The crop's input gradient, as <see cref="CropKernels.BackwardInput"/> (same arithmetic and order: each input pixel
    /// gathers from the output pixels whose sample lies within one pixel of it), a plane per task. On the accelerator
    /// it was 8 ms of a naive step b16 (the template's features are cropped from the backbone's).
    /// </summary>
    public static bool CropBackward(CropParams p, Tensor boxes, Tensor g, Tensor dx)
    {
        if (!Ready(g)) return false;
        g.Device.Kernels.RecordHost(CropKernels.BackwardInput);
        float* pbox = boxes.HostPointer, pg = g.HostPointer, pd = dx.HostPointer;
        Parallel.For(0, p.N * p.C, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, nc =>
        {
            int n = nc / p.C;
            float x1 = pbox[n * 4], y1 = pbox[n * 4 + 1], x2 = pbox[n * 4 + 2], y2 = pbox[n * 4 + 3];
            float bx = (x2 - x1) / p.OW, by = (y2 - y1) / p.OH;
            float ax0 = x1 + 0.5f * bx - 0.5f, ay0 = y1 + 0.5f * by - 0.5f;
            float* gp = pg + (long)nc * p.OH * p.OW, dp = pd + (long)nc * p.H * p.W;
            for (int iy = 0; iy < p.H; iy++)
            {
                int jy0 = 0, jy1 = p.OH - 1;
                if (by > 1e-6f) { jy0 = Math.Max(0, (int)MathF.Floor((iy - 1 - ay0) / by)); jy1 = Math.Min(p.OH - 1, (int)MathF.Ceiling((iy + 1 - ay0) / by)); }
                for (int ix = 0; ix < p.W; ix++)
                {
                    int jx0 = 0, jx1 = p.OW - 1;
                    if (bx > 1e-6f) { jx0 = Math.Max(0, (int)MathF.Floor((ix - 1 - ax0) / bx)); jx1 = Math.Min(p.OW - 1, (int)MathF.Ceiling((ix + 1 - ax0) / bx)); }
                    float acc = 0f;
                    for (int oy = jy0; oy <= jy1; oy++)
                    {
                        float sy = ay0 + oy * by;
                        int fy = (int)MathF.Floor(sy);
                        float wy = fy == iy ? 1f - (sy - fy) : fy + 1 == iy ? sy - fy : 0f;
                        if (wy == 0f) continue;
                        for (int ox = jx0; ox <= jx1; ox++)
                        {
                            float sx = ax0 + ox * bx;
                            int fx = (int)MathF.Floor(sx);
                            float wx = fx == ix ? 1f - (sx - fx) : fx + 1 == ix ? sx - fx : 0f;
                            if (wx == 0f) continue;
                            acc += wy * wx * gp[oy * p.OW + ox];
                        }
                    }
                    dp[iy * p.W + ix] = acc;
                }
            }
        });
        return true;
    }

    /// <summary>
    /// SGD's update, as <see cref="OptimizerKernels.Sgd"/> element for element (the same products and sums, none fused):
    /// on the accelerator the 1.2M parameters of `small` took 7–11 ms a step.
    /// </summary>
    public static bool SgdStep(SgdParams h, Tensor param, Tensor grad, Tensor velocity)
    {
        if (!Ready(param)) return false;
        param.Device.Kernels.RecordHost(OptimizerKernels.Sgd);
        float* w = param.HostPointer, gr = grad.HostPointer, v = velocity.HostPointer;
        for (long i = 0; i < param.Size; i++)
        {
            float g = gr[i] + h.WeightDecay * w[i];
            float vi = h.Momentum * v[i] + g;
            v[i] = vi;
            w[i] -= h.Lr * (h.Nesterov != 0 ? g + h.Momentum * vi : vi);
        }
        return true;
    }


    public static bool Normalize(BatchNormParams p, Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, Tensor y)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BatchNormKernels.Normalize);
        var normalize = ChannelEpilogue.FromBatchNorm(gamma.HostPointer, beta.HostPointer, mean.HostPointer, var.HostPointer, p.C, p.Eps, relu: false);
        long image = (long)p.C * p.Plane;
        for (int n = 0; n < p.N; n++) normalize.Apply(x.HostPointer + n * image, y.HostPointer + n * image, p.C, p.Plane);
        return true;
    }

    /// <summary>Softmax over the last axis (<see cref="SoftmaxKernels.Forward"/>'s loops, XMath included), rows spread over the cores.</summary>
    public static bool SoftmaxForward(int rows, int cols, Tensor x, Tensor y)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(SoftmaxKernels.Forward);
        IntPtr px = (IntPtr)x.HostPointer, py = (IntPtr)y.HostPointer;
        ForRows(rows, cols, r =>
        {
            float* xr = (float*)px + (long)r * cols, yr = (float*)py + (long)r * cols;
            float max = xr[0];
            for (int j = 1; j < cols; j++) max = ILGPU.Algorithms.XMath.Max(max, xr[j]);
            float sum = 0f;
            for (int j = 0; j < cols; j++) { float e = ILGPU.Algorithms.XMath.Exp(xr[j] - max); yr[j] = e; sum += e; }
            float inv = 1f / sum;
            for (int j = 0; j < cols; j++) yr[j] *= inv;
        });
        return true;
    }

    /// <summary>Softmax's gradient dx = y ⊙ (g − Σ g·y) (<see cref="SoftmaxKernels.Backward"/>'s loops).</summary>
    public static bool SoftmaxBackward(int rows, int cols, Tensor y, Tensor g, Tensor dx)
    {
        if (!Ready(y)) return false;
        y.Device.Kernels.RecordHost(SoftmaxKernels.Backward);
        IntPtr py = (IntPtr)y.HostPointer, pg = (IntPtr)g.HostPointer, pd = (IntPtr)dx.HostPointer;
        ForRows(rows, cols, r =>
        {
            float* yr = (float*)py + (long)r * cols, gr = (float*)pg + (long)r * cols, dr = (float*)pd + (long)r * cols;
            float dot = 0f;
            for (int j = 0; j < cols; j++) dot += gr[j] * yr[j];
            for (int j = 0; j < cols; j++) dr[j] = yr[j] * (gr[j] - dot);
        });
        return true;
    }

    /// <summary>body(row) for every row; over the cores when there is enough work to share.</summary>
    private static void ForRows(int rows, int cols, Action<int> body)
    {
        if ((long)rows * cols < 1 << 15 || Environment.ProcessorCount == 1) { for (int r = 0; r < rows; r++) body(r); return; }
        int chunks = Environment.ProcessorCount;
        Parallel.For(0, chunks, t => { for (int r = rows * t / chunks, end = rows * (t + 1) / chunks; r < end; r++) body(r); });
    }

    /// <summary>A run of channels between two NCHW tensors (<see cref="ChannelKernels.Copy"/>): one block copy per sample.</summary>
    public static bool ChannelCopy(ChannelCopyParams p, Tensor src, Tensor dst)
    {
        if (!Ready(src)) return false;
        src.Device.Kernels.RecordHost(ChannelKernels.Copy);
        long block = (long)p.Count * p.Plane;
        for (int n = 0; n < p.N; n++)
            new ReadOnlySpan<float>(src.HostPointer + ((long)n * p.SrcC + p.SrcOffset) * p.Plane, (int)block)
                .CopyTo(new Span<float>(dst.HostPointer + ((long)n * p.DstC + p.DstOffset) * p.Plane, (int)block));
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
        x.Device.Kernels.RecordHost(BatchNormKernels.BackwardPartial);
        x.Device.Kernels.RecordHost(BatchNormKernels.BackwardFinish);
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
        x.Device.Kernels.RecordHost(BatchNormKernels.StatsPartial);
        x.Device.Kernels.RecordHost(BatchNormKernels.StatsFinish);
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
