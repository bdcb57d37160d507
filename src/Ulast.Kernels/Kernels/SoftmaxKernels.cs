using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

/// <summary>Softmax over the last axis, one thread per row.</summary>
public static class SoftmaxKernels
{
    [UlastKernel]
    public static void Forward(Index1D row, int cols, ArrayView<float> x, ArrayView<float> y)
    {
        int o = row * cols;
        float max = x[o];
        for (int j = 1; j < cols; j++) max = XMath.Max(max, x[o + j]);
        float sum = 0f;
        for (int j = 0; j < cols; j++) { float e = XMath.Exp(x[o + j] - max); y[o + j] = e; sum += e; }
        float inv = 1f / sum;
        for (int j = 0; j < cols; j++) y[o + j] *= inv;
    }

    /// <summary>dx = y ⊙ (g − Σ g·y).</summary>
    [UlastKernel]
    public static void Backward(Index1D row, int cols, ArrayView<float> y, ArrayView<float> g, ArrayView<float> dx)
    {
        int o = row * cols;
        float dot = 0f;
        for (int j = 0; j < cols; j++) dot += g[o + j] * y[o + j];
        for (int j = 0; j < cols; j++) dx[o + j] = y[o + j] * (g[o + j] - dot);
    }
}
