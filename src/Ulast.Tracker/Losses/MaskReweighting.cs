namespace Ulast.Tracker.Losses;

/// <summary>Parameters of the mask-guided re-weighting (ULAST §7; [ours] reading as a disagreement ratio).</summary>
public sealed record ReweightConfig
{
    public bool Enabled { get; init; } = true;
    public float Alpha { get; init; } = 2f;
    public float Gamma { get; init; } = 2f;
    /// <summary>A cell counts as inside / disagreeing past this level.</summary>
    public float Beta { get; init; } = 0.1f;
    public float WMin { get; init; } = 0.05f;
    /// <summary>
    /// [ours] M̂ for the weights counts only boxes scoring above this (0 = all, as the region mask of the cycle).
    /// With all 3,125 boxes M̂ is a score-weighted average that stays far below 1 on the object, every sample
    /// disagrees with M̄ by d ≥ 1 and gets w_min, and the rescaling to mean 1 turns the re-weighting into a no-op.
    /// </summary>
    public float ScoreThreshold { get; init; } = 0.5f;
    /// <summary>
    /// [ours] Compare regions instead of values, each mask's cells above this fraction of its own peak (0 = compare
    /// the values, the earlier reading). M̂ averages a hundred or more confident, overlapping boxes, so it is soft:
    /// compared by value (or thresholded at β) its region is 2–3× the pseudo box even when the prediction sits on
    /// it, every d ≥ 1, every weight w_min — all 1 after the rescaling (they differed from 1 in 11 and 5 of 300
    /// steps). Relative to its peak, a prediction on the pseudo box weighs 0.3–0.9 and one beside it w_min.
    /// </summary>
    public float PeakFraction { get; init; } = 0.5f;
}

/// <summary>Per-sample loss weights from how well the predicted region mask agrees with the pseudo-label mask. No gradient.</summary>
public static class MaskReweighting
{
    /// <param name="predicted">[B,H,W] region mask from the predictions (M̂).</param>
    /// <param name="pseudo">[B,H,W] mask of the pseudo-label box (M̄).</param>
    /// <returns>[B] weights with mean 1 (all ones when disabled).</returns>
    public static Tensor Weights(Tensor predicted, Tensor pseudo, ReweightConfig config)
    {
        if (predicted.Size != pseudo.Size || predicted.Rank != 3) throw new ArgumentException($"Re-weighting needs two masks [B,H,W], got {predicted.ShapeString} and {pseudo.ShapeString}.");
        int b = predicted.Shape[0];
        var dev = predicted.Device;
        var w = Tensor.Empty(dev, b);
        if (!config.Enabled) { w.Fill(1f); return w; }
        var raw = Tensor.Empty(dev, b);
        var p = new ReweightParams(b, predicted.Size / b, config.Alpha, config.Gamma, config.Beta, config.WMin, config.PeakFraction);
        dev.Kernels.Launch(ReweightKernels.Raw, b, p, predicted.View, pseudo.View, raw.View);
        dev.Kernels.Launch(ReweightKernels.Normalize, b, b, raw.View, w.View);
        raw.Dispose();
        return w;
    }

    /// <summary>The weights before the rescaling to mean 1 (for tests and diagnostics).</summary>
    public static float[] RawWeights(Tensor predicted, Tensor pseudo, ReweightConfig config)
    {
        int b = predicted.Shape[0];
        using var scope = new TensorScope();
        var raw = Tensor.Empty(predicted.Device, b);
        var p = new ReweightParams(b, predicted.Size / b, config.Alpha, config.Gamma, config.Beta, config.WMin, config.PeakFraction);
        predicted.Device.Kernels.Launch(ReweightKernels.Raw, b, p, predicted.View, pseudo.View, raw.View);
        return raw.ToArray();
    }
}
