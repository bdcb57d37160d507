namespace Ulast.Tracker;

/// <summary>SiamRPN++ tracking hyper-parameters (ULAST §8, offline tracker); defaults from SiamRPN++.</summary>
public sealed record TrackerConfig
{
    /// <summary>Context around the box: crop side √((w + p)(h + p)) with p = Context·(w + h).</summary>
    public float Context { get; init; } = 0.5f;
    /// <summary>Penalty for scale and aspect-ratio change.</summary>
    public float PenaltyK { get; init; } = 0.05f;
    /// <summary>Weight of the cosine window against the penalised score.</summary>
    public float WindowInfluence { get; init; } = 0.42f;
    /// <summary>Size smoothing rate.</summary>
    public float Lr { get; init; } = 0.38f;
    public float MinSize { get; init; } = 10f;
}
