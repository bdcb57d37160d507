using Ulast.Tracker;

namespace Ulast.Cli.Commands;

/// <summary>
/// --checkpoint FILE, or a fresh model from --backbone / --channels (untrained: said so loudly), or by default
/// the shipped trained model <see cref="ShippedModel"/>; and the tracker's post-processing options.
/// </summary>
public static class ModelSource
{
    /// <summary>The trained model shipped in the repository, the default of track and eval: ImageNet's ResNet-18 trained by ULAST.</summary>
    public const string ShippedModel = "models/ulast-resnet18.safetensors";

    public static SiameseRpn Load(Options o, Device dev, TextWriter log)
    {
        var checkpoint = o.String("--checkpoint");
        var backbone = o.String("--backbone");
        var channels = o.Int("--channels", 0, 1);
        if (checkpoint is null && backbone is null && channels == 0 && FindShipped() is { } shipped) checkpoint = shipped;
        if (checkpoint is not null)
        {
            if (backbone is not null || channels != 0) throw new ArgumentException("--checkpoint already defines the model: drop --backbone/--channels.");
            var m = Checkpoint.LoadModel(checkpoint, dev);
            log.WriteLine($"model: {checkpoint} ({m.Config.Backbone}, {m.ParameterCount:N0} parameters)");
            return m;
        }
        var cfg = new ModelConfig { Backbone = backbone ?? "small" };
        if (channels > 0) cfg = cfg with { Channels = channels };
        var model = new SiameseRpn(dev, cfg);
        log.WriteLine($"model: UNTRAINED {cfg.Backbone} ({model.ParameterCount:N0} parameters, random initialisation) — pass --checkpoint for a trained one");
        return model;
    }

    /// <summary>The shipped model, looked up from the working directory and then upwards from the program's folder.</summary>
    public static string? FindShipped()
    {
        if (File.Exists(ShippedModel)) return ShippedModel;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ShippedModel);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>--penalty-k, --window-influence, --size-lr: the SiamRPN++ post-processing (defaults tuned for the shipped model).</summary>
    public static TrackerConfig Tracker(Options o)
    {
        var d = new TrackerConfig();
        var c = d with
        {
            PenaltyK = o.Float("--penalty-k", d.PenaltyK),
            WindowInfluence = o.Float("--window-influence", d.WindowInfluence),
            Lr = o.Float("--size-lr", d.Lr),
            KeepAspect = o.Flag("--keep-aspect"),
        };
        if (c.PenaltyK < 0 || c.WindowInfluence is < 0 or > 1 || c.Lr is < 0 or > 1)
            throw new ArgumentException("--penalty-k must be ≥ 0; --window-influence and --size-lr must lie in [0, 1].");
        return c;
    }

    /// <summary>
    /// DSST's scale filter [ours], or null: on by default beside the discriminative filter (<paramref name="withFilter"/>),
    /// off otherwise; --scale-filter turns it on, --no-scale-filter off; --scale-* set it.
    /// </summary>
    public static ScaleConfig? Scale(Options o, bool withFilter)
    {
        var d = new ScaleConfig();
        var c = d with
        {
            Count = o.Int("--scale-count", d.Count, 3),
            Step = o.Float("--scale-step", d.Step),
            LearningRate = o.Float("--scale-lr", d.LearningRate),
            MinScore = o.Float("--scale-min-score", d.MinScore),
            RegressedAspect = o.Flag("--scale-regressed-aspect"),
            SignedBins = d.SignedBins && !o.Flag("--scale-unsigned"),
        };
        bool on = o.Flag("--scale-filter"), off = o.Flag("--no-scale-filter");
        if (on && off) throw new ArgumentException("--scale-filter and --no-scale-filter contradict each other: give one.");
        if (off || !(on || withFilter)) return null;
        try { c.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"--scale-*: {e.Message}"); }
        return c;
    }

    /// <summary>
    /// [ours] Lost-target handling from --uncertain-below, --lost-below, --lost-after, --found-above, --lost-crops,
    /// --no-redetect; <paramref name="handle"/> false: the states only (the box and the learning as without it).
    /// </summary>
    public static LostConfig Lost(Options o, bool handle)
    {
        var d = new LostConfig();
        var c = d with
        {
            UncertainBelow = o.Float("--uncertain-below", d.UncertainBelow),
            LostBelow = o.Float("--lost-below", d.LostBelow),
            LostAfter = o.Int("--lost-after", d.LostAfter),
            FoundAbove = o.Float("--found-above", d.FoundAbove),
            FoundRelative = o.Float("--found-relative", d.FoundRelative),
            Signal = o.String("--lost-signal") ?? d.Signal,
            CropsPerFrame = o.Int("--lost-crops", d.CropsPerFrame),
            Redetect = handle && !o.Flag("--no-redetect"),
            Freeze = handle,
        };
        try { c.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"--lost-*: {e.Message}"); }
        return c;
    }

    /// <summary>--online-lambda, --online-capacity, --online-interval, --online-min-score, --online-regression: ULAST-on's memory.</summary>
    public static OnlineConfig Online(Options o)
    {
        var d = new OnlineConfig();
        var c = d with
        {
            LambdaM = o.Float("--online-lambda", d.LambdaM),
            Capacity = o.Int("--online-capacity", d.Capacity),
            UpdateInterval = o.Int("--online-interval", d.UpdateInterval),
            MinScore = o.Float("--online-min-score", d.MinScore),
            MemoryRegression = o.Flag("--online-regression"),
        };
        try { c.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"--online-*: {e.Message}"); }
        return c;
    }

    /// <summary>--filter-*: the discriminative filter [ours] (defaults chosen on the dev sequences).</summary>
    public static FilterConfig Filter(Options o)
    {
        var d = new FilterConfig();
        var c = d with
        {
            Weight = o.Float("--filter-weight", d.Weight),
            Lambda = o.Float("--filter-lambda", d.Lambda),
            Sigma = o.Float("--filter-sigma", d.Sigma),
            UpdateInterval = o.Int("--filter-interval", d.UpdateInterval),
            Capacity = o.Int("--filter-capacity", d.Capacity),
            UpdateIterations = o.Int("--filter-iterations", d.UpdateIterations),
            MinScore = o.Float("--filter-min-score", d.MinScore),
            SampleDecay = o.Float("--filter-decay", d.SampleDecay),
            InitShifts = o.Int("--filter-shifts", d.InitShifts),
            ConjugateGradient = o.Flag("--filter-cg"),
            Channels = o.Int("--filter-channels", d.Channels),
            PositionWeight = o.Float("--filter-position", d.PositionWeight),
        };
        try { c.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"--filter-*: {e.Message}"); }
        return c;
    }
}
