using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.Evaluation;
using Ulast.Tracker.IO;

namespace Ulast.Tests.Tracker;

/// <summary>The temporal robustness evaluation: its start frames, its pooling, and its first run being OPE itself.</summary>
public class TreTests
{
    /// <summary>Keeps the box it was given: a tracker whose every answer is known in advance.</summary>
    private sealed class StayTracker : IVisualTracker
    {
        private BoxF _box;
        public string Name => "stay";
        public int Inits { get; private set; }
        public void Init(Mat frame, BoxF box) { _box = box; Inits++; }
        public BoxF Track(Mat frame) => _box;
        public void Dispose() { }
    }

    private static Sequence Moving(int n, Func<int, bool>? valid = null) => new()
    {
        Name = "moving", Path = "-", Format = "images", FrameCount = n,
        GroundTruth = Enumerable.Range(0, n).Select(i => valid is null || valid(i) ? new BoxF(10 + 2 * i, 20, 30, 40) : BoxF.Invalid).ToList(),
    };

    [Fact]
    public void StartsAreSpreadEvenlyAndSkipInvalidGroundTruth()
    {
        Assert.Equal(new[] { 0, 20, 40, 60, 80 }, Evaluator.TreStarts(Moving(100), 5));
        // Frames 20–24 have no truth: that run starts at 25. Frames 0–2 neither: OPE's start is 3.
        Assert.Equal(new[] { 3, 25, 40, 60, 80 }, Evaluator.TreStarts(Moving(100, i => i >= 3 && (i < 20 || i > 24)), 5));
        // More starts than frames: no repeats, and every run has a frame to track after its start.
        var few = Evaluator.TreStarts(Moving(4), 10);
        Assert.Equal(new[] { 0, 1, 2 }, few);
        Assert.Equal(4 + 3 + 2, Evaluator.TreFrames(Moving(4), few));
        Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.TreStarts(Moving(10), 0));
        Assert.Throws<BadDataException>(() => Evaluator.TreStarts(Moving(10, _ => false), 3));
    }

    [Fact]
    public void RunsPoolEveryRunsFramesFromItsStart()
    {
        var seq = Moving(50);
        // Frames large enough to hold every start's box (a start outside the frame is refused as a bad ground truth).
        var frames = Enumerable.Range(0, 50).Select(_ => new Mat(240, 320, MatType.CV_8UC3, Scalar.All(0))).ToList();
        try
        {
            var made = new List<StayTracker>();
            var starts = Evaluator.TreStarts(seq, 5);
            int reported = 0;
            var (ope, tre) = Evaluator.RunTre(() => { var t = new StayTracker(); made.Add(t); return t; }, seq, frames, starts, i => reported = i);
            Assert.Equal(starts.Count, made.Count);
            Assert.All(made, t => Assert.Equal(1, t.Inits));   // a fresh tracker per run
            Assert.Equal(Evaluator.TreFrames(seq, starts), reported);

            // The pooled result, computed by hand: run s predicts the truth of frame s on every frame from s on.
            var predicted = new List<BoxF>();
            var truth = new List<BoxF>();
            foreach (int s in starts)
                for (int i = s; i < 50; i++) { predicted.Add(seq.GroundTruth[s]); truth.Add(seq.GroundTruth[i]); }
            var expected = SequenceResult.From("moving", predicted, truth, 0, 1);
            Assert.Equal(expected.Frames, tre.Frames);
            Assert.Equal(expected.SuccessCurve, tre.SuccessCurve);
            Assert.Equal(expected.PrecisionCurve, tre.PrecisionCurve);
            Assert.Equal(expected.Auc, tre.Auc, 12);

            // The first run is OPE: the box of frame 0 throughout.
            Assert.Equal(50, ope.Frames);
            Assert.All(ope.Boxes, b => Assert.Equal(seq.GroundTruth[0], b));
            // A stationary box on a moving target: later starts lose less, so TRE scores above OPE.
            Assert.True(tre.Auc > ope.Auc, $"TRE {tre.Auc} vs OPE {ope.Auc}");
        }
        finally { foreach (var f in frames) f.Dispose(); }
    }

    [SkippableFact]
    public void TheFirstRunEqualsOnePassEvaluationOnARealSequence()
    {
        var path = Path.Combine(SequenceTests.Annotated, "Crossing");
        Skip.IfNot(Directory.Exists(path), "shared data missing");
        var full = SequenceLoader.Load(path);
        var seq = SequenceTests.Head(full, 30);
        List<BoxF> opeBoxes;
        using (var kcf = new OpenCvVisualTracker("kcf")) opeBoxes = Evaluator.Run(kcf, seq).Boxes.ToList();
        var frames = seq.ReadFrames().ToList();
        try
        {
            var (ope, tre) = Evaluator.RunTre(() => new OpenCvVisualTracker("kcf"), seq, frames, Evaluator.TreStarts(seq, 3), null);
            Assert.Equal(opeBoxes, ope.Boxes);
            Assert.Equal(30 + 20 + 10, tre.Frames);
        }
        finally { foreach (var f in frames) f.Dispose(); }
    }
}
