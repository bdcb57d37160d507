namespace Ulast.Tracker.Tracking;

/// <summary>
/// ULAST-on (§8): a memory queue of past search features with their region masks, a memory template built
/// from it by the trained CPT, and the classification response mixed as R = (1 − λm)·R^L + λm·R^M.
/// Defaults chosen on the dev sequences for the shipped model by tools/tune-online.sh (docs/notebook/experiments.md, "Online tracking, tuned").
/// </summary>
public sealed record OnlineConfig
{
    /// <summary>Entries kept, the first frame included (it is never evicted).</summary>
    public int Capacity { get; init; } = 4;
    /// <summary>Frames between two admissions to the queue (and two rebuilds of the memory template).</summary>
    public int UpdateInterval { get; init; } = 10;
    /// <summary>Confidence gate: a frame enters only when its best score is at least this.</summary>
    public float MinScore { get; init; } = 0.9f;
    /// <summary>λm, the weight of the memory template's classification response.</summary>
    public float LambdaM { get; init; } = 0.1f;
    /// <summary>Also mix the box regression of the memory template with the same weight (off: boxes from the initial template).</summary>
    public bool MemoryRegression { get; init; }

    public void Validate()
    {
        if (Capacity is < 1 or > 100) throw new ArgumentException($"online capacity must lie in [1, 100] (the first frame counts), got {Capacity}.");
        if (UpdateInterval < 1) throw new ArgumentException($"online update interval must be at least 1 frame, got {UpdateInterval}.");
        if (!(LambdaM >= 0 && LambdaM <= 1)) throw new ArgumentException($"λm must lie in [0, 1], got {LambdaM}.");
        if (!float.IsFinite(MinScore)) throw new ArgumentException($"online min score must be finite, got {MinScore}.");
    }
}
