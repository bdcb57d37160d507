using ILGPU;

namespace Ulast.Kernels;

public enum BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3 }

public readonly struct BroadcastParams
{
    public readonly Dims4 Out, A, B;
    public readonly int Op;
    public BroadcastParams(Dims4 o, Dims4 a, Dims4 b, BinaryOp op) { Out = o; A = a; B = b; Op = (int)op; }
}

/// <summary>
/// Element-wise binary ops with NCHW broadcasting, their gradients (summed over the broadcast
/// dimensions without atomics, so results are deterministic), and reductions to a shape.
/// </summary>
public static class BroadcastKernels
{
    [UlastKernel]
    public static void Binary(Index1D i, BroadcastParams p, ArrayView<float> a, ArrayView<float> b, ArrayView<float> y)
    {
        var o = p.Out;
        int w = i % o.W, h = i / o.W % o.H, c = i / (o.W * o.H) % o.C, n = i / (o.W * o.H * o.C);
        float va = a[p.A.Broadcast(n, c, h, w)], vb = b[p.B.Broadcast(n, c, h, w)];
        y[i] = p.Op == 0 ? va + vb : p.Op == 1 ? va - vb : p.Op == 2 ? va * vb : va / vb;
    }

    /// <summary>Gradient of a binary op with respect to A (side 0) or B (side 1), one thread per element of that side.</summary>
    [UlastKernel]
    public static void BinaryBackward(Index1D i, BroadcastParams p, int side, ArrayView<float> a, ArrayView<float> b, ArrayView<float> g, ArrayView<float> d)
    {
        var o = p.Out;
        var r = (side == 0 ? p.A : p.B).RegionIn(i, o);
        float acc = 0f;
        for (int n = r.N0; n < r.N1; n++)
            for (int c = r.C0; c < r.C1; c++)
                for (int h = r.H0; h < r.H1; h++)
                    for (int w = r.W0; w < r.W1; w++)
                    {
                        float gv = g[((n * o.C + c) * o.H + h) * o.W + w];
                        float local;
                        if (p.Op == 0) local = 1f;
                        else if (p.Op == 1) local = side == 0 ? 1f : -1f;
                        else if (p.Op == 2) local = side == 0 ? b[p.B.Broadcast(n, c, h, w)] : a[p.A.Broadcast(n, c, h, w)];
                        else
                        {
                            float vb = b[p.B.Broadcast(n, c, h, w)];
                            local = side == 0 ? 1f / vb : -a[p.A.Broadcast(n, c, h, w)] / (vb * vb);
                        }
                        acc += gv * local;
                    }
        d[i] = acc;
    }

    /// <summary>dst = scale · (src summed down to dst's shape); dst's size-1 dimensions are the reduced ones.</summary>
    [UlastKernel]
    public static void ReduceToShape(Index1D i, Dims4 src, Dims4 dst, ArrayView<float> x, ArrayView<float> y, float scale)
    {
        var r = dst.RegionIn(i, src);
        float acc = 0f;
        for (int n = r.N0; n < r.N1; n++)
            for (int c = r.C0; c < r.C1; c++)
                for (int h = r.H0; h < r.H1; h++)
                    for (int w = r.W0; w < r.W1; w++)
                        acc += x[((n * src.C + c) * src.H + h) * src.W + w];
        y[i] = acc * scale;
    }

    /// <summary>dst = scale · src broadcast up to dst's shape (the gradient of a reduction).</summary>
    [UlastKernel]
    public static void BroadcastTo(Index1D i, Dims4 src, Dims4 dst, ArrayView<float> x, ArrayView<float> y, float scale)
    {
        int w = i % dst.W, h = i / dst.W % dst.H, c = i / (dst.W * dst.H) % dst.C, n = i / (dst.W * dst.H * dst.C);
        y[i] = x[src.Broadcast(n, c, h, w)] * scale;
    }
}
