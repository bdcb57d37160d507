using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.PseudoLabels;
using Ulast.Tracker.Training;

namespace Ulast.Tests.Tracker;

public class PseudoLabelTests
{
    private static readonly PseudoLabelConfig Cfg = new();

    [Fact]
    public void LinkingPrefersTheConsistentTrackOverAStrongerJumpyOne()
    {
        // Candidate A moves 2 px per frame (score 0.5); B jumps across the frame (score 0.7).
        var frames = new List<IReadOnlyList<Candidate>>();
        for (int t = 0; t < 6; t++)
            frames.Add(new List<Candidate>
            {
                new(new BoxF(200 * (t % 2), 150 * (t % 3 == 0 ? 1 : 0), 30, 30), 0.7f),
                new(new BoxF(50 + 2 * t, 60, 30, 30), 0.5f),
            });
        Assert.All(PathLinker.Link(frames, Cfg), c => Assert.Equal(1, c));
    }

    [Fact]
    public void LinkingSkipsFramesWithoutCandidatesAndFollowsTheOnlyChoice()
    {
        var frames = new List<IReadOnlyList<Candidate>>
        {
            new List<Candidate> { new(new BoxF(10, 10, 20, 20), 0.3f) },
            new List<Candidate>(),
            new List<Candidate> { new(new BoxF(300, 300, 20, 20), 0.1f), new(new BoxF(12, 11, 20, 20), 0.1f) },
        };
        Assert.Equal(new[] { 0, -1, 1 }, PathLinker.Link(frames, Cfg));
        Assert.All(PathLinker.Link(new List<IReadOnlyList<Candidate>> { new List<Candidate>(), new List<Candidate>() }, Cfg), c => Assert.Equal(-1, c));
    }

    [Fact]
    public void TransitionRewardIsIouMinusDistanceAndTripledWhenNegative()
    {
        var a = new BoxF(0, 0, 10, 10);
        Assert.Equal(1.0, PathLinker.Transition(a, a, Cfg), 10);
        // Shift by 10 px: IoU 0, d² = 100, enclosing 20×10 → diag² 500 → 0 − 4.1·0.2 = −0.82, ×3.
        Assert.Equal(-0.82 * 3, PathLinker.Transition(a, new BoxF(10, 0, 10, 10), Cfg), 6);
    }

    [Fact]
    public void SegmentsAreRunsOfReliableFramesLongEnough()
    {
        var q = new float[40];
        for (int t = 2; t < 20; t++) q[t] = 0.8f;      // 18 frames
        for (int t = 25; t < 30; t++) q[t] = 0.9f;     // 5 frames: too short
        for (int t = 33; t < 40; t++) q[t] = 0.6f;     // 7 frames: too short
        var s = PseudoLabeller.Segments(q, Cfg);
        Assert.Single(s);
        Assert.Equal(new[] { 2, 19 }, s[0]);
    }

    [Fact]
    public void SyntheticMovingSquareIsFoundAndReliable()
    {
        // A textured square moving right over a static textured background.
        var rng = new Random(1);
        using var background = new Mat(120, 160, MatType.CV_8UC1);
        Cv2.SetTheRNG(0xFFFFFFFF);   // OpenCV's generator is per thread, moved by earlier tests on it: its initial state, in any test order
        Cv2.Randu(background, Scalar.All(0), Scalar.All(255));
        Cv2.GaussianBlur(background, background, new Size(5, 5), 0);
        using var patch = new Mat(24, 24, MatType.CV_8UC1);
        Cv2.Randu(patch, Scalar.All(0), Scalar.All(255));
        var frames = new List<Mat>();
        var truth = new List<BoxF>();
        for (int t = 0; t < 40; t++)
        {
            var f = background.Clone();
            int x = 20 + 2 * t, y = 40;
            patch.CopyTo(new Mat(f, new Rect(x, y, 24, 24)));
            frames.Add(f);
            truth.Add(new BoxF(x, y, 24, 24));
        }
        try
        {
            var labels = PseudoLabeller.LabelFrames("synthetic", frames, 160, 120, 1f, Cfg, null);
            Assert.False(labels.Dropped, labels.Reason);
            var q = PseudoQuality.Measure("synthetic", labels, truth);
            Assert.True(q.ReliableMeanIou > 0.5, $"reliable mean IoU {q.ReliableMeanIou:F3}, coverage {q.Coverage:F2}");
        }
        finally { foreach (var f in frames) f.Dispose(); }
    }

    [Fact]
    public void SnappingMovesTheBoxesButNotTheReliability()
    {
        // A flat bright square moving over a textured background: flow sees its edges, GrabCut its whole.
        using var background = new Mat(120, 160, MatType.CV_8UC1);
        Cv2.SetTheRNG(0xFFFFFFFF);   // OpenCV's generator is per thread, moved by earlier tests on it: its initial state, in any test order
        Cv2.Randu(background, Scalar.All(0), Scalar.All(120));
        Cv2.GaussianBlur(background, background, new Size(5, 5), 0);
        var grey = new List<Mat>();
        var colour = new List<Mat?>();
        for (int t = 0; t < 30; t++)
        {
            var f = background.Clone();
            Cv2.Rectangle(f, new Rect(20 + 3 * t, 40, 30, 30), Scalar.All(240), -1);
            grey.Add(f);
            var c = new Mat();
            Cv2.CvtColor(f, c, ColorConversionCodes.GRAY2BGR);
            colour.Add(c);
        }
        try
        {
            var plain = PseudoLabeller.LabelFrames("synthetic", grey, 160, 120, 1f, Cfg, null);
            var snapped = PseudoLabeller.LabelFrames("synthetic", grey, 160, 120, 1f, Cfg with { SnapBoxes = true }, null, colour);
            Assert.Equal(plain.Quality, snapped.Quality);
            Assert.Equal(plain.Segments.Length, snapped.Segments.Length);
            int moved = Enumerable.Range(0, 30).Count(t => plain.Box(t).IsValid && plain.Box(t) != snapped.Box(t));
            Assert.True(moved > 0, "no box was snapped");
        }
        finally { foreach (var f in grey) f.Dispose(); foreach (var c in colour) c?.Dispose(); }
    }

    [Fact]
    public void UsotRulesSkipUnpeakedMotionAndFavourTheBoxHoldingThePeak()
    {
        // A textured square moving over a static background: peaked motion, the square holds the peak.
        using var background = new Mat(120, 160, MatType.CV_8UC1);
        Cv2.SetTheRNG(0xFFFFFFFF);   // OpenCV's generator is per thread, moved by earlier tests on it: its initial state, in any test order
        Cv2.Randu(background, Scalar.All(0), Scalar.All(255));
        Cv2.GaussianBlur(background, background, new Size(5, 5), 0);
        using var patch = new Mat(24, 24, MatType.CV_8UC1);
        Cv2.Randu(patch, Scalar.All(0), Scalar.All(255));
        var frames = new List<Mat>();
        for (int t = 0; t < 5; t++)
        {
            var f = background.Clone();
            patch.CopyTo(new Mat(f, new Rect(20 + 3 * t, 40, 24, 24)));
            frames.Add(f);
        }
        try
        {
            var plain = Cfg with { PeakBonus = 1f, MinPeakRatio = 0f };
            var (found, _) = MotionCandidates.Find(frames, 2, 1f, plain);
            var (boosted, _) = MotionCandidates.Find(frames, 2, 1f, Cfg with { PeakBonus = 2f, MinPeakRatio = 0f });
            Assert.NotEmpty(found);
            Assert.True(found[0].Box.Iou(new BoxF(26, 40, 24, 24)) > 0.3, $"box {found[0].Box}");
            Assert.Equal(2 * found[0].Score, boosted[0].Score, 4);
            // An impossible peak ratio: no frame's motion is that peaked, so no box is searched.
            Assert.Empty(MotionCandidates.Find(frames, 2, 1f, plain with { MinPeakRatio = 1e6f }).candidates);
        }
        finally { foreach (var f in frames) f.Dispose(); }
    }

    [Fact]
    public void LabellerConfigFileKeepsDefaultsAndRejectsUnknownKeys()
    {
        var dir = Directory.CreateTempSubdirectory("ulast-plcfg").FullName;
        try
        {
            var good = Path.Combine(dir, "good.json");
            File.WriteAllText(good, "{ \"peak_bonus\": 1.5, \"step\": 3 }");
            var c = PseudoLabelConfig.Read(good);
            Assert.Equal(1.5f, c.PeakBonus);
            Assert.Equal(3, c.Step);
            Assert.Equal(new PseudoLabelConfig().MinPeakRatio, c.MinPeakRatio);
            foreach (var bad in new[] { "{ \"peak_bonus_typo\": 1 }", "not json", "null", "{ \"step\": 0 }", "{ \"alphas\": [] }" })
            {
                var p = Path.Combine(dir, "bad.json");
                File.WriteAllText(p, bad);
                var e = Assert.Throws<BadDataException>(() => PseudoLabelConfig.Read(p));
                Assert.Contains("bad.json", e.Message);
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public void LabellerOnASharedVideoGivesBoxesInsideTheFrame()
    {
        var video = Path.Combine(SequenceTests.SharedData, "unlabeled", "tree.avi");
        Skip.IfNot(File.Exists(video), "shared video missing");
        var labels = PseudoLabeller.Label(SequenceLoader.Load(video), Cfg);
        Assert.Equal(68, labels.Frames);
        Assert.Equal(68, labels.Boxes.Length);
        int boxed = 0;
        for (int t = 0; t < labels.Frames; t++)
        {
            var b = labels.Box(t);
            Assert.InRange(labels.Quality[t], 0f, 1f);
            if (!b.IsValid) continue;
            boxed++;
            Assert.InRange(b.X, -1, labels.Width);
            Assert.InRange(b.Y, -1, labels.Height);
            Assert.InRange(b.Right, 0, labels.Width + 1);
            Assert.InRange(b.Bottom, 0, labels.Height + 1);
        }
        Assert.True(boxed > 30, $"only {boxed} frames have a box");
    }

    [Fact]
    public void LabelsFileRoundTripsAndRejectsGarbage()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var f = new LabelsFile();
            f.Videos["v"] = new VideoLabels { Source = "/x/v.mp4", Frames = 3, Width = 10, Height = 8, Boxes = new[] { new[] { 1f, 2f, 3f, 4f }, null, new[] { 2f, 2f, 3f, 4f } }, Quality = new[] { 0.5f, 0f, 0.7f }, Segments = new[] { new[] { 0, 2 } }, VideoQuality = 0.4f };
            f.Failed["bad"] = "cannot open";
            var path = Path.Combine(dir.FullName, "labels.json");
            f.Write(path);
            var g = LabelsFile.Read(path);
            Assert.Equal(new BoxF(1, 2, 3, 4), g.Videos["v"].Box(0));
            Assert.False(g.Videos["v"].Box(1).IsValid);
            Assert.Equal(new[] { 0, 2 }, g.Videos["v"].SegmentOf(1));
            Assert.Equal("cannot open", g.Failed["bad"]);
            File.WriteAllText(path, "{ not json");
            Assert.Throws<BadDataException>(() => LabelsFile.Read(path));
        }
        finally { dir.Delete(true); }
    }
}

public class TrainingDataTests
{
    private static LabelsFile Labels()
    {
        var f = new LabelsFile();
        VideoLabels Make(string src, int n, int[][] segs, float q)
        {
            var boxes = Enumerable.Range(0, n).Select(t => (float[]?)new[] { 10f + t, 20f, 30f, 40f }).ToArray();
            var qual = Enumerable.Range(0, n).Select(t => segs.Any(s => s[0] <= t && t <= s[1]) ? 0.8f : 0.1f).ToArray();
            return new VideoLabels { Source = src, Frames = n, Width = 200, Height = 150, Boxes = boxes, Quality = qual, Segments = segs, VideoQuality = q };
        }
        f.Videos["a"] = Make("a", 100, new[] { new[] { 10, 30 }, new[] { 60, 90 } }, 0.6f);
        f.Videos["b"] = Make("b", 50, new[] { new[] { 5, 20 } }, 0.3f);
        f.Videos["dropped"] = Make("d", 50, Array.Empty<int[]>(), 0.0f) is var d ? new VideoLabels { Source = d.Source, Frames = d.Frames, Boxes = d.Boxes, Quality = d.Quality, Segments = d.Segments, Dropped = true, Reason = "test" } : null!;
        return f;
    }

    [Fact]
    public void SamplersStayInsideSegmentsAndRepeatForASeed()
    {
        var set = new TrainingSet(Labels());
        Assert.Equal(2, set.Videos.Count);
        var naive = new NaivePairSampler(set, 7);
        var first = Enumerable.Range(0, 50).Select(_ => naive.Next()).Select(p => (p.video.Name, p.frame)).ToList();
        Assert.All(first, p => Assert.NotNull(set.Videos.First(v => v.Name == p.Name).Labels.SegmentOf(p.frame)));
        Assert.Equal(first, Enumerable.Range(0, 50).Select(_ => new NaivePairSampler(set, 7)).First() is var again ? Enumerable.Range(0, 50).Select(_ => again.Next()).Select(p => (p.video.Name, p.frame)).ToList() : null);
        Assert.NotEqual(first, Enumerable.Range(0, 50).Select(_ => 0).Select(_ => (new NaivePairSampler(set, 8))).First() is var other ? Enumerable.Range(0, 50).Select(_ => other.Next()).Select(p => (p.video.Name, p.frame)).ToList() : null);
        var cycle = new CycleClipSampler(set, 3, maxSpan: 15);
        for (int i = 0; i < 100; i++)
        {
            var (v, f) = cycle.Next();
            Assert.Equal(4, f.Length);
            Assert.True(f[0] < f[1] && f[1] < f[2] && f[2] < f[3], string.Join(",", f));
            var seg = v.Labels.SegmentOf(f[0])!;
            Assert.All(f, t => Assert.InRange(t, seg[0], seg[1]));
            Assert.True(f[3] - f[0] <= 15);
        }
    }

    [Fact]
    public void AllDroppedIsAClearError()
    {
        var f = new LabelsFile();
        f.Videos["x"] = new VideoLabels { Source = "x", Frames = 1, Boxes = new float[]?[1], Quality = new float[1], Segments = Array.Empty<int[]>(), Dropped = true };
        Assert.Throws<BadDataException>(() => new TrainingSet(f));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CropBoxRoundTripMatchesThePixels(bool hostPath)
    {
        // A bright rectangle on black: after an augmented (shifted, scaled, flipped) crop, the bright
        // pixels must sit where the transformed box says.
        using var dev = TestDevice.Cpu(hostPath);
        using var frame = new Mat(300, 400, MatType.CV_8UC3, Scalar.All(0));
        var box = new BoxF(150, 100, 60, 40);
        Cv2.Rectangle(frame, new Rect(150, 100, 60, 40), Scalar.All(255), -1);
        var rng = new Random(5);
        var aug = new AugmentConfig { FlipHorizontal = 1, FlipVertical = 1, Colour = 0, BlurProbability = 0 };
        for (int i = 0; i < (hostPath ? 4 : 1); i++)
        {
            var w = TrainingCrops.Window(box, 255, 127, 0.5f, rng, aug, shift: true);
            Assert.True(w.X2 < w.X1 && w.Y2 < w.Y1);   // both flips
            var c = w.ToCrop(box);
            var back = w.ToFrame(c);
            Assert.Equal(box.X, back.X, 3); Assert.Equal(box.Y, back.Y, 3); Assert.Equal(box.W, back.W, 3); Assert.Equal(box.H, back.H, 3);
            using var s = new TensorScope();
            var crop = TrainingCrops.Crop(dev, frame, w, rng, aug).ToArray();
            int minX = 255, minY = 255, maxX = -1, maxY = -1;
            for (int y = 0; y < 255; y++)
                for (int x = 0; x < 255; x++)
                    if (crop[y * 255 + x] > 127) { minX = Math.Min(minX, x); maxX = Math.Max(maxX, x); minY = Math.Min(minY, y); maxY = Math.Max(maxY, y); }
            Assert.InRange(minX, c.X - 1.5, c.X + 1.5);
            Assert.InRange(maxX + 1, c.Right - 1.5, c.Right + 1.5);
            Assert.InRange(minY, c.Y - 1.5, c.Y + 1.5);
            Assert.InRange(maxY + 1, c.Bottom - 1.5, c.Bottom + 1.5);
        }
    }

    [SkippableFact]
    public void LoaderPrefetchesBatchesFromCachedFrames()
    {
        var video = Path.Combine(SequenceTests.SharedData, "unlabeled", "tree.avi");
        Skip.IfNot(File.Exists(video), "shared video missing");
        var f = new LabelsFile();
        var boxes = Enumerable.Range(0, 68).Select(t => (float[]?)new[] { 100f + t, 80f, 60f, 50f }).ToArray();
        f.Videos["tree"] = new VideoLabels { Source = video, Frames = 68, Width = 320, Height = 240, Boxes = boxes, Quality = Enumerable.Repeat(0.9f, 68).ToArray(), Segments = new[] { new[] { 0, 67 } }, VideoQuality = 0.9f };
        using var dev = TestDevice.Cpu();
        using var cache = new FrameCache(512L << 20);
        using var loader = new BatchLoader(dev, new TrainingSet(f), cache, batchSize: 3, seed: 1, new AugmentConfig());
        for (int i = 0; i < 3; i++)
        {
            using var b = loader.Next();
            Assert.Equal(new[] { 3, 3, 127, 127 }, b.Templates.Shape);
            Assert.Equal(new[] { 3, 3, 255, 255 }, b.Searches.Shape);
            var bx = b.Boxes.ToArray();
            for (int k = 0; k < 3; k++) { Assert.InRange(bx[k * 4], 0, 255); Assert.InRange(bx[k * 4 + 2], 10, 255); }
            Assert.All(b.Searches.ToArray(), v => Assert.True(float.IsFinite(v)));
        }
        Assert.Equal(1, cache.Decodes);   // decoded once, served from the cache after
    }

    [SkippableFact]
    public void FrameCacheRespectsItsBudget()
    {
        var video = Path.Combine(SequenceTests.SharedData, "unlabeled", "tree.avi");
        Skip.IfNot(File.Exists(video), "shared video missing");
        using var cache = new FrameCache(1 << 20);   // 1 MiB: smaller than the video
        using var m = cache.Get(video, 10);
        Assert.Equal(320, m.Width);
        Assert.True(cache.Bytes <= 1 << 20);
    }

    [Fact]
    public void FrameCacheBudgetIsCappedByAvailableMemory()
    {
        const long GiB = 1L << 30;
        Assert.Equal(6 * GiB, FrameCache.BudgetFor(10 * GiB, availableBytes: 12 * GiB));   // what is free, less the reserve
        Assert.Equal(14 * GiB, FrameCache.BudgetFor(16 * GiB, availableBytes: 20 * GiB));
        Assert.Equal(2 * GiB, FrameCache.BudgetFor(2 * GiB, availableBytes: 12 * GiB));    // the configured budget when it fits
        Assert.Equal(256L << 20, FrameCache.BudgetFor(10 * GiB, availableBytes: 100L << 20)); // never below 256 MiB
        Assert.True(FrameCache.BudgetFor(10 * GiB) <= 10 * GiB);                            // this machine's MemAvailable
    }

    [Fact]
    public void TheNativeHeapThresholdIsPinnedOnLinux()
    {
        // The process calls this at start; a second call must succeed too (mallopt returns 1).
        Assert.Equal(OperatingSystem.IsLinux(), NativeHeap.PinMmapThreshold());
    }
}
