using static Ulast.Cli.OptionSpec;
using Ulast.Tracker.Tracking;

namespace Ulast.Cli;

/// <summary>
/// The tracker's options: each names the settings property it sets, and its help shows that property's default. They
/// apply to whatever preset a command runs; an option of a stage the preset lacks (--filter-weight on `siamese`) leaves it
/// as it is. Given in this order: the scale filter's switches come before its settings.
/// </summary>
public static class TrackerOptions
{
    private static readonly TrackerConfig SiameseDefaults = new();
    private static readonly OnlineConfig OnlineDefaults = new();
    private static readonly FilterConfig FilterDefaults = new();
    private static readonly ScaleConfig ScaleDefaults = new();
    private static readonly LostConfig LostDefaults = new();

    /// <summary>An option that sets one property of a stage's settings (and shows its default, unless a flag).</summary>
    private static OptionSpec Sets<TC>(OptionSpec spec, TC defaults, Func<TrackerSettings, TC?> stage, Func<TrackerSettings, TC, TrackerSettings> put,
        Func<TC, object>? get, Func<TC, object, TC> set) where TC : class =>
        (spec with { Help = get is null ? spec.Help : $"{spec.Help} {D(get(defaults))}" }).Binds<TrackerSettings>((s, v) => stage(s) is { } c ? put(s, set(c, v)) : s);

    private static OptionSpec Siamese(OptionSpec spec, Func<TrackerConfig, object>? get, Func<TrackerConfig, object, TrackerConfig> set) =>
        Sets(spec, SiameseDefaults, s => s.Siamese, (s, c) => s with { Siamese = c }, get, set);
    private static OptionSpec Online(OptionSpec spec, Func<OnlineConfig, object>? get, Func<OnlineConfig, object, OnlineConfig> set) =>
        Sets(spec, OnlineDefaults, s => s.Online, (s, c) => s with { Online = c }, get, set);
    private static OptionSpec Filter(OptionSpec spec, Func<FilterConfig, object>? get, Func<FilterConfig, object, FilterConfig> set) =>
        Sets(spec, FilterDefaults, s => s.Filter, (s, c) => s with { Filter = c }, get, set);
    private static OptionSpec Scale(OptionSpec spec, Func<ScaleConfig, object>? get, Func<ScaleConfig, object, ScaleConfig> set) =>
        Sets(spec, ScaleDefaults, s => s.Scale, (s, c) => s with { Scale = c }, get, set);
    private static OptionSpec Lost(OptionSpec spec, Func<LostConfig, object>? get, Func<LostConfig, object, LostConfig> set) =>
        Sets(spec, LostDefaults, s => s.Lost, (s, c) => s with { Lost = c }, get, set);

    /// <summary>SiamRPN++'s post-processing.</summary>
    public static readonly OptionSpec[] PostProcessing =
    {
        Siamese(Number("--penalty-k", "tracker post-processing: scale/ratio change penalty", 0, 10), c => c.PenaltyK, (c, v) => c with { PenaltyK = (float)v }),
        Siamese(Number("--window-influence", "tracker post-processing: cosine window weight", 0, 1), c => c.WindowInfluence, (c, v) => c with { WindowInfluence = (float)v }),
        Siamese(Number("--size-lr", "tracker post-processing: box size update rate", 0, 1), c => c.Lr, (c, v) => c with { Lr = (float)v }),
        Siamese(Flag("--keep-aspect", "[ours] tracker post-processing: keep the first box's aspect ratio, take only the scale from the regression"), null, (c, _) => c with { KeepAspect = true }),
    };

    /// <summary>ULAST-on's memory, for presets with it.</summary>
    public static readonly OptionSpec[] Memory =
    {
        Online(Number("--online-lambda", "ULAST-on: weight λm of the memory template's response", 0, 1), c => c.LambdaM, (c, v) => c with { LambdaM = (float)v }),
        Online(Int("--online-capacity", "ULAST-on: memory entries", 1, 100), c => c.Capacity, (c, v) => c with { Capacity = (int)v }),
        Online(Int("--online-interval", "ULAST-on: frames between memory updates"), c => c.UpdateInterval, (c, v) => c with { UpdateInterval = (int)v }),
        Online(Number("--online-min-score", "ULAST-on: least score for a frame to enter the memory", 0, 1), c => c.MinScore, (c, v) => c with { MinScore = (float)v }),
        Online(Flag("--online-regression", "ULAST-on: mix the memory template's box regression too"), null, (c, _) => c with { MemoryRegression = true }),
    };

    /// <summary>[ours] The discriminative filter, for presets with it.</summary>
    public static readonly OptionSpec[] Discriminative =
    {
        Filter(Number("--filter-weight", "[ours] discriminative filter: weight β of its response in each anchor's score", 0, 1), c => c.Weight, (c, v) => c with { Weight = (float)v }),
        Filter(Number("--filter-lambda", "[ours] discriminative filter: ridge regularisation λ", 1e-8, 1e6), c => c.Lambda, (c, v) => c with { Lambda = (float)v }),
        Filter(Number("--filter-sigma", "[ours] discriminative filter: σ of the Gaussian label, in cells", 0.01, 25), c => c.Sigma, (c, v) => c with { Sigma = (float)v }),
        Filter(Int("--filter-interval", "[ours] discriminative filter: frames between samples"), c => c.UpdateInterval, (c, v) => c with { UpdateInterval = (int)v }),
        Filter(Int("--filter-capacity", "[ours] discriminative filter: samples kept", 1, 500), c => c.Capacity, (c, v) => c with { Capacity = (int)v }),
        Filter(Int("--filter-iterations", "[ours] discriminative filter: steepest-descent steps per update", 0, 100), c => c.UpdateIterations, (c, v) => c with { UpdateIterations = (int)v }),
        Filter(Number("--filter-min-score", "[ours] discriminative filter: least score for a frame to become a sample", 0, 1), c => c.MinScore, (c, v) => c with { MinScore = (float)v }),
        Filter(Number("--filter-decay", "[ours] discriminative filter: weight decay of older samples per sample", 0, 0.9999), c => c.SampleDecay, (c, v) => c with { SampleDecay = (float)v }),
        Filter(Int("--filter-shifts", "[ours] discriminative filter: shifted first-frame crops, 0 or 4", 0, 4), c => c.InitShifts, (c, v) => c with { InitShifts = (int)v }),
        Filter(Int("--filter-channels", "[ours] discriminative filter: learn on this many principal directions of the first frame's features (0: all)", 0, 4096), c => c.Channels, (c, v) => c with { Channels = (int)v }),
        Filter(Number("--filter-position", "[ours] discriminative filter: weight α of its response's refined peak in the target's centre (0: the regressed centre)", 0, 1), c => c.PositionWeight, (c, v) => c with { PositionWeight = (float)v }),
        Filter(Flag("--filter-cg", "[ours] discriminative filter: conjugate-gradient steps instead of steepest descent"), null, (c, _) => c with { ConjugateGradient = true }),
    };

    /// <summary>[ours] DSST's scale filter: on in the presets with the discriminative filter; the switches first.</summary>
    public static readonly OptionSpec[] ScaleFilter =
    {
        (Flag("--scale-filter", "[ours] the box's size from DSST's scale filter (first box's aspect) instead of the regression; on by default with the discriminative filter")
            with { Excludes = "--no-scale-filter" }).Binds<TrackerSettings>((s, _) => s with { Scale = s.Scale ?? new ScaleConfig() }),
        Flag("--no-scale-filter", "[ours] the box's size from the regression, also beside the discriminative filter").Binds<TrackerSettings>((s, _) => s with { Scale = null }),
        Scale(Int("--scale-count", "[ours] scale filter: scales in the pyramid (odd)", 3, 65), c => c.Count, (c, v) => c with { Count = (int)v }),
        Scale(Number("--scale-step", "[ours] scale filter: ratio between neighbouring scales", 1.0001, 1.9999), c => c.Step, (c, v) => c with { Step = (float)v }),
        Scale(Number("--scale-lr", "[ours] scale filter: learning rate per frame", 0.0001, 1), c => c.LearningRate, (c, v) => c with { LearningRate = (float)v }),
        Scale(Flag("--scale-regressed-aspect", "[ours] scale filter: the aspect ratio from the regression, only the area from the filter"), null, (c, _) => c with { RegressedAspect = true }),
        Scale(Flag("--scale-unsigned", "[ours] scale filter: only the 9 unsigned orientation bins per cell, not the 18 signed ones too"), null, (c, _) => c with { SignedBins = false }),
        Scale(Number("--scale-min-score", "[ours] scale filter: least tracker score for a frame to update it", 0, 1), c => c.MinScore, (c, v) => c with { MinScore = (float)v }),
    };

    /// <summary>[ours] Lost-target detection (every preset reports the state) and handling (with --lost or -lt rows).</summary>
    public static readonly OptionSpec[] LostTarget =
    {
        Lost(Number("--uncertain-below", "[ours] lost target: a frame scoring below this is 'uncertain'", 0, 1), c => c.UncertainBelow, (c, v) => c with { UncertainBelow = (float)v }),
        Lost(Number("--lost-below", "[ours] lost target: frames scoring below this count towards 'lost'", 0, 1), c => c.LostBelow, (c, v) => c with { LostBelow = (float)v }),
        Lost(Int("--lost-after", "[ours] lost target: consecutive low frames before 'lost'", 1, 1000), c => c.LostAfter, (c, v) => c with { LostAfter = (int)v }),
        Lost(Number("--found-above", "[ours] lost target: while lost, a response above this is the target found again", 0, 1), c => c.FoundAbove, (c, v) => c with { FoundAbove = (float)v }),
        Lost(Number("--found-relative", "[ours] lost target: ... or above this fraction of the sequence's mean score so far, if lower (0: absolute only)", 0, 1), c => c.FoundRelative, (c, v) => c with { FoundRelative = (float)v }),
        Lost(Text("--lost-signal", "[ours] lost target: what the thresholds read: score, apce (the filter response's sharpness relative to the sequence's mean) or both (low only if both are)"), c => c.Signal, (c, v) => c with { Signal = (string)v }),
        Lost(Int("--lost-crops", "[ours] lost target: search crops per lost frame, the local one and the next of a scan over the frame", 1, 64), c => c.CropsPerFrame, (c, v) => c with { CropsPerFrame = (int)v }),
        Lost(Flag("--no-redetect", "[ours] lost target: while lost, search only around the held box, not over the frame"), null, (c, _) => c with { Redetect = false }),
    };

    /// <summary>Every tracker option, in the order they apply.</summary>
    public static IEnumerable<OptionSpec> All => PostProcessing.Concat(Memory).Concat(Discriminative).Concat(ScaleFilter).Concat(LostTarget);

    /// <summary>--preset, for the commands that run one tracker.</summary>
    public static OptionSpec Preset(string what, string fallback) =>
        Text("--preset", $"{what}: {string.Join("; ", TrackerPresets.All.Select(p => $"{p.Name} — {p.Description}"))} [default: {fallback}]");
}
