using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.PseudoLabels;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.Training;

/// <summary>One frame a naive pair can be cut from: its video, index, pseudo box and sampling weight.</summary>
public readonly record struct NaiveFrame(string Source, int Frame, BoxF Box, double Weight);

/// <summary>
/// The frames naive pairs are drawn from: every reliable frame (weight = its quality) and, when
/// <c>otherWeight</c> &gt; 0 [ours], every other frame with a plausible box (inside the frame, at least
/// 8 px a side, aspect ≤ 6) at that weight times its quality — of dropped videos too: a naive pair needs
/// only a box, since template and search come from the same pixels.
/// </summary>
public sealed class NaiveFramePool
{
    private readonly NaiveFrame[] _frames;
    private readonly double[] _cumulative;

    public NaiveFramePool(LabelsFile labels, float otherWeight)
    {
        var list = new List<NaiveFrame>();
        foreach (var (_, v) in labels.Videos.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            var reliable = new bool[v.Boxes.Length];
            if (!v.Dropped)
                foreach (var s in v.Segments)
                    for (int t = Math.Max(0, s[0]); t <= Math.Min(s[1], reliable.Length - 1); t++) reliable[t] = true;
            for (int t = 0; t < v.Boxes.Length; t++)
            {
                var box = v.Box(t);
                if (!Plausible(box, v.Width, v.Height)) continue;
                double q = Math.Max(0.05, t < v.Quality.Length ? v.Quality[t] : 0);
                double w = reliable[t] ? q : otherWeight * q;
                if (w > 0) list.Add(new NaiveFrame(v.Source, t, box, w));
            }
        }
        if (list.Count == 0) throw new BadDataException("The labels hold no frame with a plausible box to train on.");
        _frames = list.ToArray();
        _cumulative = new double[_frames.Length];
        double sum = 0;
        for (int i = 0; i < _frames.Length; i++) { sum += _frames[i].Weight; _cumulative[i] = sum; }
    }

    public int Count => _frames.Length;

    public static bool Plausible(BoxF b, int width, int height) =>
        b.IsValid && b.W >= 8 && b.H >= 8 && Math.Max(b.W / b.H, b.H / b.W) <= 6 &&
        (width <= 0 || (b.X >= -1 && b.Y >= -1 && b.Right <= width + 1 && b.Bottom <= height + 1));

    public NaiveFrame Draw(Random rng)
    {
        double r = rng.NextDouble() * _cumulative[^1];
        int i = Array.BinarySearch(_cumulative, r);
        if (i < 0) i = ~i;
        return _frames[Math.Min(i, _frames.Length - 1)];
    }
}

/// <summary>A cycle clip: frames t0 &lt; t1 &lt; t2 &lt; t3 of one video, the pseudo box of t0 and its template crop [1,3,127,127].</summary>
public sealed class CycleClip : IDisposable
{
    public required Mat[] Frames { get; init; }
    public required int[] Indices { get; init; }
    public required BoxF Box0 { get; init; }
    public required float[] MeanColour { get; init; }
    public void Dispose() { foreach (var f in Frames) f.Dispose(); }
}

/// <summary>Everything one training step consumes; a pure function of (seed, step).</summary>
public sealed class StepSamples : IDisposable
{
    public required PairBatch Naive { get; init; }
    public CycleClip[]? Clips { get; init; }
    /// <summary>Template crops of the clips [B,3,127,127] (persistent), or null.</summary>
    public Tensor? ClipTemplates { get; init; }
    /// <summary>Seeds for the cycle's per-frame colour jitter, one per clip.</summary>
    public int[]? ClipSeeds { get; init; }

    public void Dispose()
    {
        Naive.Dispose();
        ClipTemplates?.Dispose();
        if (Clips is not null) foreach (var c in Clips) c.Dispose();
    }
}

/// <summary>
/// Makes the samples of a training step: naive pairs (ULAST §4, L_l) with heavy search augmentation, and
/// cycle clips (L_c) inside reliable segments. All randomness comes from <see cref="StepRandom"/>(seed, step),
/// so a resumed run sees exactly the batches an uninterrupted one would.
/// </summary>
public sealed class TrainingSamples
{
    private readonly Device _device;
    private readonly TrainConfig _cfg;
    private readonly NaiveFramePool _pool;
    private readonly TrainingSet? _clips;
    private readonly FrameCache _cache;

    public TrainingSamples(Device device, TrainConfig cfg, LabelsFile labels, FrameCache cache)
    {
        _device = device;
        _cfg = cfg;
        _cache = cache;
        _pool = new NaiveFramePool(labels, cfg.NaiveOtherFrames);
        if (cfg.Cycle)
        {
            _clips = new TrainingSet(labels);
            if (!_clips.Videos.Any(ClipEligible)) throw new BadDataException("No reliable segment of 4+ frames for cycle clips: train with --no-cycle or label more video.");
        }
    }

    public NaiveFramePool Pool => _pool;
    public TrainingSet? ClipSet => _clips;

    /// <summary>The generator of one step's draws: SplitMix64 of (seed, step, stream), the same in every process (HashCode is not).</summary>
    public static Random StepRandom(int seed, int step, int stream)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)step * 0xBF58476D1CE4E5B9UL + (ulong)stream * 0x94D049BB133111EBUL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return new Random((int)(z & int.MaxValue));
    }

    private static bool ClipEligible(TrainingVideo v) => v.Labels.Segments.Any(s => s[1] - s[0] >= 3);

    public StepSamples Make(int step, bool withCycle)
    {
        var naive = MakeNaive(StepRandom(_cfg.Seed, step, 1));
        if (!withCycle || _clips is null) return new StepSamples { Naive = naive };
        var rng = StepRandom(_cfg.Seed, step, 2);
        var clips = new CycleClip[_cfg.CycleBatch];
        var seeds = new int[clips.Length];
        for (int i = 0; i < clips.Length; i++) { clips[i] = MakeClip(rng); seeds[i] = rng.Next(); }
        Tensor templates;
        using (var scope = new TensorScope())
        using (GradMode.NoGrad())
        {
            int zs = _cfg.Model.TemplateSize;
            var crops = clips.Select(c =>
            {
                var w = TrainingCrops.Window(c.Box0, zs, zs, _cfg.Tracker.Context, rng, _cfg.TemplateAugment, shift: true);
                return TrainingCrops.Crop(_device, c.Frames[0], w, rng, _cfg.TemplateAugment, c.MeanColour).Reshape(1, 3 * zs * zs);
            }).ToArray();
            templates = Persist(Ops.Concat(crops), clips.Length, 3, zs, zs);
        }
        return new StepSamples { Naive = naive, Clips = clips, ClipTemplates = templates, ClipSeeds = seeds };
    }

    private Tensor Persist(Tensor t, params int[] shape) { var p = Tensor.EmptyPersistent(_device, shape); p.CopyFrom(t); return p; }

    private PairBatch MakeNaive(Random rng)
    {
        int b = _cfg.NaiveBatch, zs = _cfg.Model.TemplateSize, xs = _cfg.Model.SearchSize;
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        var zList = new Tensor[b];
        var xList = new Tensor[b];
        var boxes = new float[b * 4];
        for (int i = 0; i < b; i++)
        {
            var f = _pool.Draw(rng);
            using var mat = _cache.Get(f.Source, f.Frame);
            var mean = ImageUpload.MeanColour(mat);
            // One flip for both crops: a mirrored search against an unmirrored template never happens in tracking.
            bool fx = rng.NextDouble() < _cfg.SearchAugment.FlipHorizontal, fy = rng.NextDouble() < _cfg.SearchAugment.FlipVertical;
            var zw = Mirror(TrainingCrops.Window(f.Box, zs, zs, _cfg.Tracker.Context, rng, NoFlip(_cfg.TemplateAugment), shift: true), fx, fy);
            var xw = Mirror(TrainingCrops.Window(f.Box, xs, zs, _cfg.Tracker.Context, rng, NoFlip(_cfg.SearchAugment), shift: true), fx, fy);
            bool grey = rng.NextDouble() < _cfg.GreyProbability;
            zList[i] = MaybeGrey(TrainingCrops.Crop(_device, mat, zw, rng, _cfg.TemplateAugment, mean), grey).Reshape(1, 3 * zs * zs);
            xList[i] = MaybeGrey(TrainingCrops.Crop(_device, mat, xw, rng, _cfg.SearchAugment, mean), grey).Reshape(1, 3 * xs * xs);
            var c = xw.ToCrop(f.Box);
            boxes[i * 4] = c.Cx; boxes[i * 4 + 1] = c.Cy; boxes[i * 4 + 2] = c.W; boxes[i * 4 + 3] = c.H;
        }
        return new PairBatch
        {
            Templates = Persist(Ops.Concat(zList), b, 3, zs, zs),
            Searches = Persist(Ops.Concat(xList), b, 3, xs, xs),
            Boxes = Tensor.PersistentFromArray(_device, boxes, b, 4),
        };
    }

    private static AugmentConfig NoFlip(AugmentConfig a) => a with { FlipHorizontal = 0, FlipVertical = 0 };

    private static CropWindow Mirror(CropWindow w, bool fx, bool fy) =>
        new(fx ? w.X2 : w.X1, fy ? w.Y2 : w.Y1, fx ? w.X1 : w.X2, fy ? w.Y1 : w.Y2, w.Size);

    /// <summary>The crop with every channel replaced by the channel mean (grey), or unchanged.</summary>
    public static Tensor MaybeGrey(Tensor crop, bool grey)
    {
        if (!grey) return crop;
        var g = Ops.Mean(crop, new[] { 1 }, keepDim: true);
        return Ops.Concat(g, g, g);
    }

    private CycleClip MakeClip(Random rng)
    {
        var v = _clips!.PickVideo(rng, ClipEligible);
        var starts = v.ReliableFrames.Where(t => v.Labels.SegmentOf(t) is { } s && s[1] - t >= 3).ToArray();
        int t0 = starts[TrainingSet.Weighted(rng, starts.Select(t => (double)Math.Max(1e-3f, v.Labels.Quality[t])).ToArray())];
        var seg = v.Labels.SegmentOf(t0)!;
        int end = Math.Min(seg[1], t0 + _cfg.CycleMaxSpan);
        // Three later frames, spread out: the farthest-apart triple of five draws (USOT draws 7 and keeps the farthest).
        var draws = Enumerable.Range(0, 5).Select(_ => t0 + 1 + rng.Next(end - t0)).Distinct().OrderBy(t => t).ToList();
        while (draws.Count < 3) { int t = t0 + 1 + rng.Next(end - t0); if (!draws.Contains(t)) { draws.Add(t); draws.Sort(); } }
        var picked = new[] { draws[0], draws[draws.Count / 2], draws[^1] };
        if (picked[1] == picked[0] || picked[1] == picked[2]) picked[1] = draws[1];
        var indices = new[] { t0 }.Concat(picked).ToArray();
        var frames = indices.Select(t => _cache.Get(v.Source, t)).ToArray();
        return new CycleClip { Frames = frames, Indices = indices, Box0 = v.Labels.Box(t0), MeanColour = ImageUpload.MeanColour(frames[0]) };
    }
}
