using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

public enum UnaryOp { Relu = 0, Sigmoid = 1, Exp = 2, Log = 3 }

/// <summary>Element-wise non-linearities and their derivatives.</summary>
public static class UnaryKernels
{
    [UlastKernel]
    public static void Forward(Index1D i, int op, ArrayView<float> x, ArrayView<float> y)
    {
        float v = x[i];
        float r;
        if (op == (int)UnaryOp.Relu) r = v > 0f ? v : 0f;
        else if (op == (int)UnaryOp.Sigmoid) r = v >= 0f ? 1f / (1f + XMath.Exp(-v)) : XMath.Exp(v) / (1f + XMath.Exp(v));
        else if (op == (int)UnaryOp.Exp) r = XMath.Exp(v);
        else r = XMath.Log(v);
        y[i] = r;
    }

    /// <summary>dx = g · f'(x), using the saved output y where that is cheaper.</summary>
    [UlastKernel]
    public static void Backward(Index1D i, int op, ArrayView<float> x, ArrayView<float> y, ArrayView<float> g, ArrayView<float> dx)
    {
        float d;
        if (op == (int)UnaryOp.Relu) d = x[i] > 0f ? 1f : 0f;
        else if (op == (int)UnaryOp.Sigmoid) d = y[i] * (1f - y[i]);
        else if (op == (int)UnaryOp.Exp) d = y[i];
        else d = 1f / x[i];
        dx[i] = g[i] * d;
    }
}
