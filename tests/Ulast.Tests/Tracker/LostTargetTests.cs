using OpenCvSharp;
using Ulast.Cli.Commands;
using Ulast.Tracker.Data;
using Ulast.Tracker.Evaluation;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

/// <summary>[ours] Knowing when the target is lost, and finding it again.</summary>
public class LostTargetTests
{
    [Fact]
    public void TheDetectorNeedsSeveralLowFramesToLoseAndAConfidentOneToFind()
    {
        var d = new LostDetector(new LostConfig { UncertainBelow = 0.5f, LostBelow = 0.2f, LostAfter = 3, FoundAbove = 0.6f, FoundRelative = 0 });
        Assert.Equal(TargetState.Tracking, d.Update(0.7f));
        Assert.Equal(TargetState.Uncertain, d.Update(0.4f));
        Assert.Equal(TargetState.Uncertain, d.Update(0.1f));
        Assert.Equal(TargetState.Uncertain, d.Update(0.1f));
        Assert.Equal(TargetState.Uncertain, d.Update(0.3f));    // the run of low frames is broken: counting starts again
        Assert.Equal(TargetState.Uncertain, d.Update(0.1f));
        Assert.Equal(TargetState.Uncertain, d.Update(0.1f));
        Assert.Equal(TargetState.Lost, d.Update(0.1f));         // the third low frame in a row
        Assert.Equal(TargetState.Lost, d.Update(0.55f));        // above "lost" but not above "found": hysteresis
        Assert.Equal(TargetState.Tracking, d.Found(0.65f));
        Assert.Equal(TargetState.Uncertain, d.Update(0.45f));

        // A sequence whose score runs low all along: found again at 0.8 of its own level, not at the absolute 0.6.
        var low = new LostDetector(new LostConfig { UncertainBelow = 0.5f, LostBelow = 0.2f, LostAfter = 3, FoundAbove = 0.6f, FoundRelative = 0.8f });
        foreach (var s in new[] { 0.35f, 0.3f, 0.35f, 0.3f, 0.1f, 0.1f }) low.Update(s);
        Assert.Equal(TargetState.Lost, low.Update(0.1f));
        Assert.Equal(0.8f * (0.35f + 0.3f + 0.35f + 0.3f + 0.1f + 0.1f + 0.1f) / 7, low.FoundThreshold, 1e-5f);
        Assert.Equal(TargetState.Lost, low.Update(0.15f));
        Assert.Equal(TargetState.Uncertain, low.Update(0.3f));
    }

    [Theory]
    [InlineData(0.4f, 0.5f, 0.7f, 3, "must not exceed the uncertain one")]
    [InlineData(0.5f, 0.2f, 0.1f, 3, "must not be below the lost one")]
    [InlineData(0.5f, 0.2f, 0.6f, 0, "lost after must lie in [1, 1000]")]
    [InlineData(1.5f, 0.2f, 0.6f, 3, "must lie in [0, 1]")]
    public void InconsistentThresholdsAreRefusedInOneLine(float uncertain, float lost, float found, int after, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new LostConfig { UncertainBelow = uncertain, LostBelow = lost, FoundAbove = found, LostAfter = after }.Validate());
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AnUnknownLostSignalIsRefused() =>
        Assert.Equal("lost signal 'psr2': expected score, apce or both.", Assert.Throws<ArgumentException>(() => new LostConfig { Signal = "psr2" }.Validate()).Message);

    [Fact]
    public void TrackFilesRoundTripAndBadStatesAreRefused()
    {
        var boxes = new[] { new BoxF(1, 2, 30, 40), new BoxF(2, 3, 30, 40) };
        var text = TrackOutput.Format(boxes, new[] { 1f, 0.125f }, new[] { TargetState.Tracking, TargetState.Lost }, oneBased: true);
        Assert.Equal("2,3,30,40,1,tracking\n3,4,30,40,0.125,lost\n", text);
        var back = TrackOutput.Parse(text, "t.txt", oneBased: true);
        Assert.Equal(boxes, back.Select(f => f.Box));
        Assert.Equal(TargetState.Lost, back[1].State);
        Assert.Equal("t.txt:2: 'gone' is not a target state (tracking, uncertain or lost).",
            Assert.Throws<BadDataException>(() => TrackOutput.Parse("1,2,3,4,1,tracking\n1,2,3,4,0.5,gone\n", "t.txt", false)).Message);
        Assert.Contains("score 7 lies outside [0, 1]", Assert.Throws<BadDataException>(() => TrackOutput.Parse("1,2,3,4,7,lost\n", "t.txt", false)).Message);
        Assert.Contains("expected x,y,w,h,score,state", Assert.Throws<BadDataException>(() => TrackOutput.Parse("1,2,3,4\n", "t.txt", false)).Message);
    }

    [Fact]
    public void LaSotAndGot10kAbsenceFlagsMakeThoseFramesAbsent()
    {
        var dir = Directory.CreateTempSubdirectory("ulast-absent-").FullName;
        try
        {
            var gt = Enumerable.Range(0, 5).Select(i => new BoxF(i, i, 10, 10)).ToList();
            File.WriteAllText(Path.Combine(dir, "full_occlusion.txt"), "0,0,1,0,0");
            File.WriteAllText(Path.Combine(dir, "absence.label"), "0\n0\n0\n0\n1\n");
            var warnings = new List<string>();
            var marked = SequenceLoader.MarkAbsent(dir, gt, warnings);
            Assert.Equal(new[] { true, true, false, true, false }, marked.Select(b => b.IsValid));
            Assert.Empty(warnings);
            File.WriteAllText(Path.Combine(dir, "out_of_view.txt"), "0,0,yes");
            Assert.Contains("out_of_view.txt: flag 3 is 'yes', not 0 or 1.", Assert.Throws<BadDataException>(() => SequenceLoader.MarkAbsent(dir, gt, warnings)).Message);
            // Absent frames and missed ones are what "lost" is scored against.
            var counts = LostCounts.Of(gt, marked, new[] { TargetState.Tracking, TargetState.Lost, TargetState.Lost, TargetState.Tracking, TargetState.Tracking }, start: 0);
            Assert.Equal(new LostCounts(1, 1, 1), counts);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>
    /// A textured square crosses a grey, lightly noisy 320×240 scene to the right, leaves the frame for 15 frames, and comes
    /// back at the far left — outside the search crop around where it was last seen.
    /// </summary>
    private static List<(Mat frame, BoxF? box)> LeavingAndReturning()
    {
        var rng = new Random(5);
        using var pattern = new Mat(40, 40, MatType.CV_8UC3);
        for (int y = 0; y < 40; y++)
            for (int x = 0; x < 40; x++)
                pattern.Set(y, x, ((x / 8) + (y / 8)) % 2 == 0 ? new Vec3b(30, 60, 220) : new Vec3b(240, 200, 40));
        var frames = new List<(Mat, BoxF?)>();
        Cv2.SetTheRNG(0xFFFFFFFF);   // OpenCV's generator is per thread, moved by earlier tests on it: its initial state, in any test order
        for (int t = 0; t < 44; t++)
        {
            var frame = new Mat(240, 320, MatType.CV_8UC3, Scalar.All(110));
            using (var noise = new Mat(240, 320, MatType.CV_8UC3))
            {
                Cv2.Randn(noise, Scalar.All(0), Scalar.All(6));
                Cv2.Add(frame, noise, frame);
            }
            BoxF? box = t switch
            {
                < 12 => new BoxF(150 + 12 * t, 100, 40, 40),   // moves right, out of the frame by frame 12
                < 27 => null,                                    // gone
                _ => new BoxF(20 + 2 * (t - 27), 60, 40, 40),      // back, at the far left
            };
            if (box is { } b)
            {
                int x0 = (int)b.X, w = Math.Min(40, 320 - x0);
                if (w > 0) pattern[new Rect(0, 0, w, 40)].CopyTo(frame[new Rect(x0, (int)b.Y, w, 40)]);
                if (w < 20) box = null;   // mostly outside: absent for the test's purpose
            }
            frames.Add((frame, box));
        }
        return frames;
    }

    private static (List<BoxF> boxes, List<TargetState> states) Run(SiameseRpn model, LostConfig lost, List<(Mat frame, BoxF? box)> seq)
    {
        using var tracker = new SiamRpnTracker(model, new TrackerSettings { Filter = new FilterConfig(), Lost = lost });
        var boxes = new List<BoxF>();
        var states = new List<TargetState>();
        tracker.Init(seq[0].frame, seq[0].box!.Value);
        boxes.Add(seq[0].box!.Value);
        states.Add(TargetState.Tracking);
        foreach (var (frame, _) in seq.Skip(1)) { boxes.Add(tracker.Track(frame)); states.Add(tracker.State); }
        return (boxes, states);
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void ATargetThatLeavesAndComesBackElsewhereIsDeclaredLostAndFoundAgain()
    {
        var shipped = ModelSource.FindShipped();
        Skip.If(shipped is null, "the shipped model is not in the repository");
        using var dev = TestDevice.Cpu();
        using var model = Checkpoint.LoadModel(shipped!, dev);
        var seq = LeavingAndReturning();
        try
        {
            var (handled, states) = Run(model, new LostConfig(), seq);
            var (reported, reportedStates) = Run(model, new LostConfig { Freeze = false, Redetect = false }, seq);
            // While the square is gone the tracker says so...
            Assert.Contains(TargetState.Lost, states.Skip(12).Take(15));
            Assert.Contains(TargetState.Lost, reportedStates.Skip(12).Take(15));
            // ...and with re-detection it is on the square again by the end; without, it stays where it lost it.
            double Iou(List<BoxF> b) => b[^1].Iou(seq[^1].box!.Value);
            Assert.True(Iou(handled) > 0.5, $"re-detection: IoU {Iou(handled):0.00} on the last frame; states {string.Join(",", states.Select(s => s.ToString()[0]))}");
            Assert.NotEqual(TargetState.Lost, states[^1]);
            Assert.True(Iou(reported) < 0.1, $"without re-detection the box should not find the square far away: IoU {Iou(reported):0.00}");
        }
        finally { foreach (var (f, _) in seq) f.Dispose(); }
    }

    [SkippableFact]
    [Trait("Category", "Slow")]
    public void OnASequenceWhereTheTargetIsNeverLostTheBoxesDoNotChange()
    {
        var shipped = ModelSource.FindShipped();
        var crossing = Path.Combine(SequenceTests.Annotated, "Crossing");
        Skip.If(shipped is null || !Directory.Exists(crossing), "the shipped model or the shared data is missing");
        using var dev = TestDevice.Cpu();
        using var model = Checkpoint.LoadModel(shipped!, dev);
        var s = SequenceTests.Head(SequenceLoader.Load(crossing), 40);
        var frames = s.ReadFrames().Select((f, i) => (f, i == 0 ? (BoxF?)s.GroundTruth[0] : null)).ToList();
        try
        {
            var (handled, states) = Run(model, new LostConfig(), frames);
            var (plain, _) = Run(model, new LostConfig { Freeze = false, Redetect = false }, frames);
            Assert.DoesNotContain(TargetState.Lost, states);
            // Tolerance: none. Lost handling only acts in lost frames; elsewhere it is the same tracker, bit for bit.
            Assert.Equal(plain, handled);
        }
        finally { foreach (var (f, _) in frames) f.Dispose(); }
    }
}
