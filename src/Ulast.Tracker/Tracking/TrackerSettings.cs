using Ulast.Tracker.Model;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// Everything that decides how <see cref="SiamRpnTracker"/> runs: the Siamese post-processing, and each optional stage's
/// settings (null: the stage is off). Named presets are in <see cref="TrackerPresets"/>; `track`, `eval`, the labeller's
/// second round and training's validation all build their tracker from one of them.
/// </summary>
public sealed record TrackerSettings
{
    /// <summary>SiamRPN++'s post-processing: penalty, cosine window, size smoothing.</summary>
    public TrackerConfig Siamese { get; init; } = new();
    /// <summary>ULAST-on: a memory template built by the CPT from confident frames.</summary>
    public OnlineConfig? Online { get; init; }
    /// <summary>[ours] The discriminative filter learned online on the search features.</summary>
    public FilterConfig? Filter { get; init; }
    /// <summary>[ours] DSST's scale filter for the box's size.</summary>
    public ScaleConfig? Scale { get; init; }
    /// <summary>[ours] The target's state per frame; with <see cref="LostConfig.Freeze"/> also held boxes and re-detection.</summary>
    public LostConfig? Lost { get; init; }

    /// <summary>
    /// The stages these settings turn on, in the order they score (ULAST-on's memory, then the discriminative filter) and
    /// refine the box (the filter's centre, then the scale filter's size). A new stage is one more line here.
    /// </summary>
    public List<ITrackerStage> CreateStages(SiameseRpn model)
    {
        var stages = new List<ITrackerStage>();
        if (Online is not null) stages.Add(new MemoryStage(model, Online));
        if (Filter is not null) stages.Add(new FilterStage(model, Filter));
        if (Scale is not null) stages.Add(new ScaleStage(Scale, Siamese.MinSize));
        return stages;
    }

    /// <summary>Checks every stage's settings; the message names the stage.</summary>
    public void Validate()
    {
        Check("tracker", Siamese.Validate);
        if (Online is not null) Check("online", Online.Validate);
        if (Filter is not null) Check("filter", Filter.Validate);
        if (Scale is not null) Check("scale", Scale.Validate);
        if (Lost is not null) Check("lost", Lost.Validate);

        static void Check(string stage, Action validate)
        {
            try { validate(); }
            catch (ArgumentException e) { throw new ArgumentException($"{stage}: {e.Message}"); }
        }
    }
}
