using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.PseudoLabels;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

/// <summary>
/// The second labelling round with the shipped model on a synthetic clip: a seed too short to be a segment grows by
/// forward-backward tracking onto the moving object, the seed's own frames stay untouched, and a seed placed on
/// nothing in particular does not grow onto the object.
/// </summary>
public sealed class LabelRefinerTests : IDisposable
{
    private readonly Device _dev = TestDevice.Cpu();
    private readonly List<Mat> _frames = new();
    private readonly BoxF[] _truth;

    public LabelRefinerTests()
    {
        // A textured background with a two-coloured square moving 3 px right and 1 px down a frame.
        using var background = new Mat(180, 240, MatType.CV_8UC3);
        Cv2.SetTheRNG(7); // OpenCV's generator is per thread: set and used here alone
        Cv2.Randu(background, Scalar.All(40), Scalar.All(140));
        Cv2.GaussianBlur(background, background, new Size(5, 5), 0);
        _truth = new BoxF[30];
        for (int t = 0; t < _truth.Length; t++)
        {
            var f = background.Clone();
            int x = 60 + 3 * t, y = 60 + t;
            Cv2.Rectangle(f, new Rect(x, y, 36, 28), new Scalar(30, 200, 240), -1);
            Cv2.Rectangle(f, new Rect(x + 8, y + 8, 12, 10), new Scalar(200, 30, 30), -1);
            _frames.Add(f);
            _truth[t] = new BoxF(x, y, 36, 28);
        }
    }

    public void Dispose()
    {
        foreach (var f in _frames) f.Dispose();
        _dev.Dispose();
    }

    internal static string ShippedModel()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "models", "ulast-small.safetensors");
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException("models/ulast-small.safetensors not found above the test folder.");
    }

    /// <summary>Labels with reliable quality on frames [from, to] only (boxes given by <paramref name="box"/>), nothing elsewhere.</summary>
    private VideoLabels Seeded(int from, int to, Func<int, BoxF> box)
    {
        int n = _frames.Count;
        var boxes = new float[]?[n];
        var quality = new float[n];
        for (int t = from; t <= to; t++)
        {
            var b = box(t);
            boxes[t] = new[] { b.X, b.Y, b.W, b.H };
            quality[t] = 0.8f;
        }
        return new VideoLabels
        {
            Source = "square", Frames = n, Width = 240, Height = 180, Boxes = boxes, Quality = quality, VideoQuality = quality.Average(),
            Segments = Array.Empty<int[]>(), Dropped = true, Reason = "no reliable run",
        };
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]      // [ours] the tracker of `ulast track`: the discriminative filter, its peak, the scale filter
    public void ASeedTooShortForASegmentGrowsOntoTheMovingObject(bool withFilter)
    {
        using var model = Checkpoint.LoadModel(ShippedModel(), _dev);
        var seed = Seeded(12, 15, t => _truth[t]);
        var cfg = new PseudoLabelConfig();
        var tracker = TrackerPresets.Get(withFilter ? "shipped" : "siamese").Settings;
        var (refined, added) = LabelRefiner.Refine(seed, _frames, model, tracker, new LabelRefineConfig { Chunk = 5, MaxExtend = 20 }, cfg);
        Assert.True(added >= 10, $"{added} frames added");
        Assert.False(refined.Dropped, refined.Reason);
        Assert.NotEmpty(refined.Segments);
        for (int t = 12; t <= 15; t++) Assert.Equal(seed.Boxes[t], refined.Boxes[t]);
        var ious = Enumerable.Range(0, _frames.Count).Where(t => t is < 12 or > 15 && refined.Quality[t] >= cfg.ReliableQuality)
            .Select(t => refined.Box(t).Iou(_truth[t])).ToList();
        Assert.Equal(added, ious.Count);
        Assert.True(ious.Average() > 0.6, $"added boxes' mean IoU with the truth {ious.Average():0.000}");
        Assert.All(refined.Segments, s => Assert.InRange(s[1] - s[0] + 1, cfg.MinSegment, _frames.Count));
    }

    [Fact]
    [Trait("Category", "Slow")]   // over a minute on 2 cores: CI's second step
    public void VideosRefinedAtOnceOnTwoThreadsGetTheLabelsTheyGetOneAtATime()
    {
        // `ulast pseudo-label --refine --jobs 2` runs two videos' trackers on one model at the same time.
        using var model = Checkpoint.LoadModel(ShippedModel(), _dev);
        var seeds = new[] { Seeded(12, 15, t => _truth[t]), Seeded(3, 6, t => _truth[t]) };
        var tracker = TrackerPresets.Get("shipped").Settings;
        var rc = new LabelRefineConfig { Chunk = 5, MaxExtend = 12 };
        VideoLabels Refine(VideoLabels v) => LabelRefiner.Refine(v, _frames, model, tracker, rc, new PseudoLabelConfig()).labels;
        var alone = seeds.Select(Refine).ToArray();
        var together = new VideoLabels[seeds.Length];
        Parallel.For(0, seeds.Length, new ParallelOptions { MaxDegreeOfParallelism = seeds.Length }, i => together[i] = Refine(seeds[i]));
        for (int i = 0; i < seeds.Length; i++)
        {
            Assert.True(alone[i].ReliableFrames > seeds[i].ReliableFrames, "the seed grew");
            Assert.Equal(alone[i].Quality, together[i].Quality);
            for (int t = 0; t < _frames.Count; t++) Assert.Equal(alone[i].Boxes[t], together[i].Boxes[t]);
        }
    }

    [Fact]
    public void NothingGrowsWithoutASeedLongEnough()
    {
        using var model = Checkpoint.LoadModel(ShippedModel(), _dev);
        var seed = Seeded(12, 13, t => _truth[t]);
        var (refined, added) = LabelRefiner.Refine(seed, _frames, model, new TrackerSettings(), new LabelRefineConfig { MinSeed = 3 }, new PseudoLabelConfig());
        Assert.Equal(0, added);
        Assert.True(refined.Dropped);
        Assert.Equal(seed.Quality, refined.Quality);
    }

    [Fact]
    public void RunsAreTheMaximalStretchesOfTrue()
    {
        var runs = LabelRefiner.Runs(new[] { true, true, false, false, true, false, true, true, true });
        Assert.Equal(new[] { (0, 1), (4, 4), (6, 8) }, runs);
        Assert.Empty(LabelRefiner.Runs(new bool[4]));
    }

    [Fact]
    public void BadSettingsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new LabelRefineConfig { AgreeIou = 0 }.Check());
        Assert.Throws<ArgumentException>(() => new LabelRefineConfig { Chunk = 0 }.Check());
        new LabelRefineConfig().Check();
    }
}
