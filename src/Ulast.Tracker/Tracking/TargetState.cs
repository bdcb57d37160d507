using Ulast.Tracker.IO;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// What the tracker believes about the target in a frame [ours]: <see cref="Tracking"/> — confident;
/// <see cref="Uncertain"/> — the score fell below <see cref="LostConfig.UncertainBelow"/>; <see cref="Lost"/> — it stayed
/// below <see cref="LostConfig.LostBelow"/> for <see cref="LostConfig.LostAfter"/> frames: the box is held, nothing
/// learns, and (with re-detection) the search widens until a confident response is found again.
/// </summary>
public enum TargetState { Tracking, Uncertain, Lost }

public static class TargetStates
{
    public static string Name(TargetState s) => s switch { TargetState.Tracking => "tracking", TargetState.Uncertain => "uncertain", _ => "lost" };

    /// <summary>Reads a state as written in a boxes file; anything else is a one-line error naming where it came from.</summary>
    public static TargetState Parse(string text, string source) => text.Trim().ToLowerInvariant() switch
    {
        "tracking" => TargetState.Tracking,
        "uncertain" => TargetState.Uncertain,
        "lost" => TargetState.Lost,
        _ => throw new BadDataException($"{source}: '{BadDataException.Quote(text)}' is not a target state (tracking, uncertain or lost)."),
    };
}
