namespace Ulast.Tracker.Tracking;

/// <summary>
/// [ours] Knowing when the target is lost, and finding it again (pysot's long-term SiamRPN, in spirit): a state per
/// frame from the tracker's score with hysteresis; while lost, no template, filter, scale or memory updates, the box
/// held where it was, and (with <see cref="Redetect"/>) search crops spread over the frame until one scores above
/// <see cref="FoundAbove"/>. Thresholds were chosen on the dev sequences (docs/notebook/experiments.md, "Lost and found").
/// </summary>
public sealed record LostConfig
{
    /// <summary>A frame scoring below this is <see cref="TargetState.Uncertain"/>.</summary>
    public float UncertainBelow { get; init; } = 0.5f;
    /// <summary>A frame scoring below this counts towards <see cref="LostAfter"/>.</summary>
    public float LostBelow { get; init; } = 0.15f;
    /// <summary>Consecutive frames below <see cref="LostBelow"/> before the target is declared lost.</summary>
    public int LostAfter { get; init; } = 3;
    /// <summary>While lost, a response above this is the target found again (above <see cref="LostBelow"/>: hysteresis).</summary>
    public float FoundAbove { get; init; } = 0.5f;
    /// <summary>
    /// ... or above this fraction of the sequence's own score level (the mean score of the frames tracked before), when
    /// that is lower: a small target's response can run at 0.3 all along (wakeboard4), where an absolute 0.5 is never
    /// reached again and one dip would leave the target "lost" for good. 0: the absolute threshold only.
    /// </summary>
    public float FoundRelative { get; init; } = 0.8f;
    /// <summary>
    /// What the thresholds read: "score" — the chosen anchor's score; "apce" — the filter response's average
    /// peak-to-correlation energy (LMCF) relative to the sequence's mean so far, halved onto the score's scale (a frame
    /// as sharp as the average reads 0.5); "both" — the larger of the two, so that only a frame low in both counts as low.
    /// Without the discriminative filter every signal is the score.
    /// </summary>
    public string Signal { get; init; } = "score";
    /// <summary>Hold the box and stop every online update while lost (off: only the state is reported).</summary>
    public bool Freeze { get; init; } = true;
    /// <summary>While lost, search beyond the held position too: crops over the whole frame (without it, the held position's crop only).</summary>
    public bool Redetect { get; init; } = true;
    /// <summary>Search crops evaluated per lost frame (the local one and the next ones of a scan over the frame).</summary>
    public int CropsPerFrame { get; init; } = 4;

    public void Validate()
    {
        if (!(UncertainBelow is >= 0 and <= 1) || !(LostBelow is >= 0 and <= 1) || !(FoundAbove is >= 0 and <= 1))
            throw new ArgumentException($"lost thresholds must lie in [0, 1], got uncertain {UncertainBelow}, lost {LostBelow}, found {FoundAbove}.");
        if (LostBelow > UncertainBelow) throw new ArgumentException($"the lost threshold {LostBelow} must not exceed the uncertain one {UncertainBelow}.");
        if (FoundAbove < LostBelow) throw new ArgumentException($"the found threshold {FoundAbove} must not be below the lost one {LostBelow} (hysteresis).");
        if (Signal is not ("score" or "apce" or "both")) throw new ArgumentException($"lost signal '{Signal}': expected score, apce or both.");
        if (!(FoundRelative is >= 0 and <= 1)) throw new ArgumentException($"the relative found threshold must lie in [0, 1], got {FoundRelative}.");
        if (LostAfter is < 1 or > 1000) throw new ArgumentException($"lost after must lie in [1, 1000] frames, got {LostAfter}.");
        if (CropsPerFrame is < 1 or > 64) throw new ArgumentException($"crops per frame must lie in [1, 64], got {CropsPerFrame}.");
    }
}
