namespace Ulast.Tracker.Tracking;

/// <summary>
/// A named tracker: its settings, and the suffix that marks it after a model's name in evaluation rows
/// (`ulast` is the Siamese tracker on the default model, `ulast-dcf` the shipped one, `r18-online` ULAST-on on model r18).
/// </summary>
public sealed record TrackerPreset(string Name, string Suffix, string Description, TrackerSettings Settings);

/// <summary>
/// The tracker's presets, like pytracking's parameter files. A new stage is a settings record, its stage class, and a
/// line here. Every preset reports the target's state; <see cref="WithLostHandling"/> makes it act on it.
/// </summary>
public static class TrackerPresets
{
    /// <summary>Lost-target states reported, the box and learning untouched.</summary>
    public static readonly LostConfig ReportStates = new() { Freeze = false, Redetect = false };

    public static readonly IReadOnlyList<TrackerPreset> All = new TrackerPreset[]
    {
        new("siamese", "", "the Siamese response alone (ULAST-off, as SiamRPN++ tracks)",
            new TrackerSettings { Lost = ReportStates }),
        new("shipped", "-dcf", "[ours] the discriminative filter, its peak for the centre, DSST's scale filter for the size: `ulast track`'s default",
            new TrackerSettings { Filter = new FilterConfig(), Scale = new ScaleConfig(), Lost = ReportStates }),
        new("online", "-online", "ULAST-on: the CPT's memory template mixed into the response",
            new TrackerSettings { Online = new OnlineConfig(), Lost = ReportStates }),
        new("online-shipped", "-online-dcf", "ULAST-on with the shipped tracker's filters",
            new TrackerSettings { Online = new OnlineConfig(), Filter = new FilterConfig(), Scale = new ScaleConfig(), Lost = ReportStates }),
    };

    /// <summary>The suffix of a row whose tracker also acts on the lost state (<see cref="WithLostHandling"/>).</summary>
    public const string LostSuffix = "-lt";

    public static string Names => string.Join(", ", All.Select(p => p.Name));

    public static TrackerPreset Get(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"Unknown tracker preset '{name}': expected {Names}.");

    /// <summary>[ours] Hold the box, stop learning and search the frame while the target is lost.</summary>
    public static TrackerSettings WithLostHandling(TrackerSettings s, bool redetect = true) =>
        s with { Lost = (s.Lost ?? new LostConfig()) with { Freeze = true, Redetect = redetect } };

    /// <summary>
    /// An evaluation row's name split into its model and preset: MODEL + a preset's suffix [+ "-lt"], e.g. "r18-online-dcf-lt".
    /// Null when no known model ends the name that way.
    /// </summary>
    public static (string Model, TrackerPreset Preset, bool HandlesLost)? ParseRow(string row, Func<string, bool> isModel)
    {
        bool lost = row.EndsWith(LostSuffix, StringComparison.Ordinal);
        var rest = lost ? row[..^LostSuffix.Length] : row;
        // The longest suffix first: "-online-dcf" before "-dcf", and "" last.
        foreach (var p in All.OrderByDescending(p => p.Suffix.Length))
            if (rest.EndsWith(p.Suffix, StringComparison.Ordinal) && rest[..^p.Suffix.Length] is var model && isModel(model)) return (model, p, lost);
        return null;
    }
}
