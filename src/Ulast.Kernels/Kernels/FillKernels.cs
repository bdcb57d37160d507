using ILGPU;

namespace Ulast.Kernels;

/// <summary>Fill, copy, scalar affine and accumulation: the plumbing of every other op.</summary>
public static class FillKernels
{
    [UlastKernel]
    public static void Fill(Index1D i, ArrayView<float> y, float value) => y[i] = value;

    /// <summary>y = a·x + b (scalar add and scalar multiply are its two special cases).</summary>
    [UlastKernel]
    public static void Affine(Index1D i, ArrayView<float> x, ArrayView<float> y, float a, float b) => y[i] = a * x[i] + b;

    /// <summary>y += a·x — gradient accumulation.</summary>
    [UlastKernel]
    public static void Axpy(Index1D i, ArrayView<float> x, ArrayView<float> y, float a) => y[i] += a * x[i];
}
