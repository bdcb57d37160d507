namespace Ulast.Tracker.Tracking;

/// <summary>
/// [ours] The state machine of <see cref="LostConfig"/>: tracking ⇄ uncertain by the frame's score; lost after
/// <see cref="LostConfig.LostAfter"/> consecutive frames below <see cref="LostConfig.LostBelow"/>; out of lost only
/// through <see cref="Found"/> (a response above <see cref="FoundThreshold"/>), so that one lucky frame in a
/// run of low scores does not flip the state back and forth.
/// </summary>
public sealed class LostDetector
{
    private readonly LostConfig _cfg;
    private int _low, _seen;
    private double _level;

    public LostDetector(LostConfig config) { config.Validate(); _cfg = config; }

    public LostConfig Config => _cfg;

    public TargetState State { get; private set; } = TargetState.Tracking;

    public void Reset() { State = TargetState.Tracking; _low = 0; _seen = 0; _level = 0; }

    /// <summary>The score that finds the target again: the absolute threshold, or a fraction of the level seen so far if lower.</summary>
    public float FoundThreshold => _seen == 0 || _cfg.FoundRelative == 0 ? _cfg.FoundAbove : MathF.Min(_cfg.FoundAbove, _cfg.FoundRelative * (float)_level);

    /// <summary>The state after a frame tracked normally with this score.</summary>
    public TargetState Update(float score)
    {
        // Lost and tracked on regardless (the states only, no re-detection): a confident frame is the target found.
        if (State == TargetState.Lost) return Found(score);
        _low = score < _cfg.LostBelow ? _low + 1 : 0;
        // The sequence's score level: the mean over the frames tracked so far (not while lost).
        _level += (score - _level) / ++_seen;
        State = _low >= _cfg.LostAfter ? TargetState.Lost : score < _cfg.UncertainBelow ? TargetState.Uncertain : TargetState.Tracking;
        return State;
    }

    /// <summary>While lost: the best response of the search; above the found threshold the target is back.</summary>
    public TargetState Found(float score)
    {
        if (score >= FoundThreshold) { _low = 0; State = score < _cfg.UncertainBelow ? TargetState.Uncertain : TargetState.Tracking; }
        return State;
    }
}
