using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

public readonly struct ReweightParams
{
    public readonly int Batch, Cells;
    public readonly float Alpha, Gamma, Beta, WMin;
    /// <summary>> 0: compare regions, M̂ > PeakFraction·max M̂ against M̄ > β; 0: compare the masks' values.</summary>
    public readonly float PeakFraction;
    public ReweightParams(int batch, int cells, float alpha, float gamma, float beta, float wMin, float peakFraction = 0f)
    { Batch = batch; Cells = cells; Alpha = alpha; Gamma = gamma; Beta = beta; WMin = wMin; PeakFraction = peakFraction; }
}

/// <summary>
/// Mask-guided loss re-weighting (ULAST §7, our reading): d = #{|M̂ − M̄| > β} / max(1, #{M̄ > β}),
/// w = clamp(log_γ(α − d), w_min, 1) (w_min when α − d ≤ 0), then rescaled to mean 1 over the batch.
/// [ours] With PeakFraction ρ > 0 the masks are compared as regions, each the cells above ρ times its own peak:
/// d = #{(M̂ > ρ·max M̂) ≠ (M̄ > ρ·max M̄)} / max(1, #{M̄ > ρ·max M̄}). M̂ is soft (an average over many
/// overlapping boxes), so a fixed level would not find its region. No gradient.
/// </summary>
public static class ReweightKernels
{
    [UlastKernel]
    public static void Raw(Index1D b, ReweightParams p, ArrayView<float> predicted, ArrayView<float> pseudo, ArrayView<float> w)
    {
        float differ = 0f, inside = 0f, peakM = 0f, peakT = 0f;
        if (p.PeakFraction > 0f)
            for (int q = 0; q < p.Cells; q++)
            {
                peakM = XMath.Max(peakM, predicted[b * p.Cells + q]);
                peakT = XMath.Max(peakT, pseudo[b * p.Cells + q]);
            }
        for (int q = 0; q < p.Cells; q++)
        {
            float m = predicted[b * p.Cells + q], t = pseudo[b * p.Cells + q];
            if (p.PeakFraction > 0f)
            {
                m = peakM > 0f && m > p.PeakFraction * peakM ? 1f : 0f;
                t = peakT > 0f && t > p.PeakFraction * peakT ? 1f : 0f;
            }
            if (XMath.Abs(m - t) > p.Beta) differ += 1f;
            if (t > p.Beta) inside += 1f;
        }
        float d = differ / XMath.Max(1f, inside);
        float arg = p.Alpha - d;
        float v = arg > 0f ? XMath.Log(arg) / XMath.Log(p.Gamma) : p.WMin;
        w[b] = XMath.Clamp(v, p.WMin, 1f);
    }

    [UlastKernel]
    public static void Normalize(Index1D b, int batch, ArrayView<float> raw, ArrayView<float> w)
    {
        float s = 0f;
        for (int j = 0; j < batch; j++) s += raw[j];
        w[b] = raw[b] * batch / s;
    }
}
