using ILGPU;

namespace Ulast.Kernels;

/// <summary>y = 1 where x > threshold, else 0 — the region mask's score gate (no gradient).</summary>
public static class StepKernels
{
    [UlastKernel]
    public static void Step(Index1D i, ArrayView<float> x, ArrayView<float> y, float threshold) => y[i] = x[i] > threshold ? 1f : 0f;
}
