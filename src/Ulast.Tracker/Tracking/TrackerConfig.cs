namespace Ulast.Tracker;

/// <summary>
/// SiamRPN++ tracking hyper-parameters (ULAST §8, offline tracker). Defaults tuned for the shipped model on the
/// dev sequences by tools/tune-tracker.sh (SiamRPN++'s were penalty_k 0.05, window 0.42, lr 0.38; see docs/results.md).
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
    /// <summary>[ours] The box's size from DSST's scale filter instead of the regression (null: off).</summary>
    public ScaleConfig? Scale { get; init; }
}
