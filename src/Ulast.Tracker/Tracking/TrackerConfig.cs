namespace Ulast.Tracker.Tracking;

/// <summary>
/// SiamRPN++ tracking hyper-parameters (ULAST §8, offline tracker). Defaults tuned for the shipped model on the
/// dev sequences by tools/tune-tracker.sh (SiamRPN++'s were penalty_k 0.05, window 0.42, lr 0.38; see docs/notebook/experiments.md).
/// </summary>
public sealed record TrackerConfig
{
    /// <summary>Context around the box: crop side √((w + p)(h + p)) with p = Context·(w + h).</summary>
    public float Context { get; init; } = 0.5f;
    /// <summary>Penalty for scale and aspect-ratio change.</summary>
    public float PenaltyK { get; init; } = 0.2f;
    /// <summary>Weight of the cosine window against the penalised score.</summary>
    public float WindowInfluence { get; init; } = 0.2f;
    /// <summary>Size smoothing rate.</summary>
    public float Lr { get; init; } = 0.1f;
    public float MinSize { get; init; } = 10f;
    /// <summary>[ours] The box keeps the first frame's aspect ratio: the regressed box gives only its scale, √(w·h).</summary>
    public bool KeepAspect { get; init; }

    public void Validate()
    {
        if (!(Context is > 0 and <= 4)) throw new ArgumentException($"the context must lie in (0, 4], got {Context}.");
        if (!(PenaltyK is >= 0 and <= 10)) throw new ArgumentException($"the penalty k must lie in [0, 10], got {PenaltyK}.");
        if (!(WindowInfluence is >= 0 and <= 1)) throw new ArgumentException($"the window influence must lie in [0, 1], got {WindowInfluence}.");
        if (!(Lr is >= 0 and <= 1)) throw new ArgumentException($"the size rate must lie in [0, 1], got {Lr}.");
        if (!(MinSize is >= 1 and <= 1000)) throw new ArgumentException($"the least box side must lie in [1, 1000] pixels, got {MinSize}.");
    }
}
