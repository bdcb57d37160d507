using Ulast.Tracker.IO;
using Ulast.Tracker.PseudoLabels;

namespace Ulast.Tracker.Training;

/// <summary>A usable video of a labels file and its reliable frames.</summary>
public sealed record TrainingVideo(string Name, string Source, VideoLabels Labels, int[] ReliableFrames);

/// <summary>What the samplers draw from: the non-dropped videos of a labels file.</summary>
public sealed class TrainingSet
{
    public TrainingSet(LabelsFile labels)
    {
        Videos = labels.Videos.Where(v => !v.Value.Dropped && v.Value.Segments.Length > 0).OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => new TrainingVideo(v.Key, v.Value.Source, v.Value,
                v.Value.Segments.SelectMany(s => Enumerable.Range(s[0], s[1] - s[0] + 1)).Where(f => v.Value.Boxes[f] is not null).ToArray()))
            .Where(v => v.ReliableFrames.Length > 0).ToList();
        if (Videos.Count == 0) throw new BadDataException("No usable video in the labels (every one was dropped or has no reliable segment).");
    }

    public IReadOnlyList<TrainingVideo> Videos { get; }

    /// <summary>A video, weighted by its quality times its number of reliable frames.</summary>
    public TrainingVideo PickVideo(Random rng, Func<TrainingVideo, bool>? eligible = null)
    {
        var pool = Videos.Where(v => eligible?.Invoke(v) ?? true).ToList();
        if (pool.Count == 0) throw new BadDataException("No video satisfies the sampler's needs.");
        return pool[Weighted(rng, pool.Select(v => Math.Max(1e-3, v.Labels.VideoQuality) * v.ReliableFrames.Length).ToArray())];
    }

    public static int Weighted(Random rng, double[] weights)
    {
        double total = weights.Sum(), r = rng.NextDouble() * total;
        for (int i = 0; i < weights.Length; i++) { r -= weights[i]; if (r < 0) return i; }
        return weights.Length - 1;
    }
}

/// <summary>Naive pairs (ULAST §4, L_l): template and search from the same reliable frame, weighted by quality.</summary>
public sealed class NaivePairSampler
{
    private readonly TrainingSet _set;
    private readonly Random _rng;
    public NaivePairSampler(TrainingSet set, int seed) { _set = set; _rng = new Random(seed); }

    public (TrainingVideo video, int frame) Next()
    {
        var v = _set.PickVideo(_rng);
        var f = v.ReliableFrames[TrainingSet.Weighted(_rng, v.ReliableFrames.Select(t => (double)Math.Max(1e-3f, v.Labels.Quality[t])).ToArray())];
        return (v, f);
    }
}

/// <summary>
/// Cycle clips (ULAST §4, L_c): a template frame and three search frames t0 &lt; t1 &lt; t2 &lt; t3, all inside
/// the template frame's reliable segment and at most MaxSpan frames apart.
/// </summary>
public sealed class CycleClipSampler
{
    private readonly TrainingSet _set;
    private readonly Random _rng;
    public CycleClipSampler(TrainingSet set, int seed, int maxSpan = 60) { _set = set; _rng = new Random(seed); MaxSpan = maxSpan; }
    public int MaxSpan { get; }

    public (TrainingVideo video, int[] frames) Next()
    {
        var v = _set.PickVideo(_rng, x => x.Labels.Segments.Any(s => s[1] - s[0] >= 3));
        var starts = v.ReliableFrames.Where(t => v.Labels.SegmentOf(t) is { } s && s[1] - t >= 3).ToArray();
        int t0 = starts[TrainingSet.Weighted(_rng, starts.Select(t => (double)Math.Max(1e-3f, v.Labels.Quality[t])).ToArray())];
        var seg = v.Labels.SegmentOf(t0)!;
        int end = Math.Min(seg[1], t0 + MaxSpan);
        var after = Enumerable.Range(t0 + 1, end - t0).OrderBy(_ => _rng.Next()).Take(3).OrderBy(t => t).ToArray();
        return (v, new[] { t0 }.Concat(after).ToArray());
    }
}
