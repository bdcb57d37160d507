using System.Diagnostics;
using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.Evaluation;

/// <summary>
/// One-pass evaluation (OPE): initialise on the first valid ground truth, never re-initialise. And OTB's temporal
/// robustness evaluation (TRE): the same sequence tracked again from later start frames spread evenly over it, each
/// run to the end, its frames pooled — one early failure then costs a tracker one run's frames, not the sequence.
/// </summary>
public static class Evaluator
{
    /// <param name="progress">Called after every frame with (frames done, frames in all).</param>
    public static SequenceResult Run(IVisualTracker tracker, Sequence seq, Action<int>? progress = null)
    {
        int start = FirstValid(seq, 0);
        if (start < 0) throw new BadDataException($"Sequence '{seq.Name}' has no valid ground-truth box.");
        var boxes = new List<BoxF>();
        var record = new Record();
        double seconds = 0;
        int tracked = 0, index = 0;
        foreach (var frame in seq.ReadFrames())
        {
            using (frame) Step(tracker, frame, seq, index, start, boxes, ref seconds, ref tracked, record);
            index++;
            progress?.Invoke(index);
            if (index >= seq.EvalFrameCount) break;
        }
        return record.Into(SequenceResult.From(seq.Name, boxes, seq.GroundTruth, seconds, Math.Max(1, tracked)), boxes, seq.GroundTruth, start);
    }

    /// <summary>Each frame's score and state, as the tracker reported them.</summary>
    private sealed class Record
    {
        public readonly List<float> Scores = new();
        public readonly List<TargetState> States = new();

        public SequenceResult Into(SequenceResult r, IReadOnlyList<BoxF> boxes, IReadOnlyList<BoxF> truth, int start) =>
            r with { Scores = Scores, States = States, Lost = LostCounts.Of(boxes, truth, States, start), Calibration = ScoreCalibration.Of(boxes, truth, Scores, start) };
    }

    /// <summary>
    /// TRE's start frames: for k = 0 … count − 1 the first valid ground truth at or after k·n/count (n = the evaluated
    /// frames), without repeats and with at least two frames left to track. The first is OPE's start.
    /// </summary>
    public static IReadOnlyList<int> TreStarts(Sequence seq, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "TRE needs at least one start.");
        int n = seq.EvalFrameCount;
        var starts = new List<int>();
        for (int k = 0; k < count; k++)
        {
            int s = FirstValid(seq, (int)((long)k * n / count));
            if (s >= 0 && s < n - 1 && !starts.Contains(s)) starts.Add(s);
        }
        if (starts.Count == 0) throw new BadDataException($"Sequence '{seq.Name}' has no valid ground-truth box to start from.");
        return starts;
    }

    /// <summary>Frames that a TRE over these starts tracks in all (for a progress bar).</summary>
    public static int TreFrames(Sequence seq, IReadOnlyList<int> starts) => starts.Sum(s => seq.EvalFrameCount - s);

    /// <summary>
    /// TRE on frames decoded once (<paramref name="frames"/>, the sequence's evaluated frames; not disposed here): a fresh
    /// tracker from <paramref name="create"/> for each start. Returns the run from the first start — OPE itself, box for
    /// box — and the pooled result of all runs, whose metrics count every run's frames from its start to the end.
    /// </summary>
    public static (SequenceResult Ope, SequenceResult Tre) RunTre(Func<IVisualTracker> create, Sequence seq, IReadOnlyList<Mat> frames,
        IReadOnlyList<int> starts, Action<int>? progress = null)
    {
        if (frames.Count < seq.EvalFrameCount) throw new ArgumentException($"TRE of '{seq.Name}' needs its {seq.EvalFrameCount} frames, got {frames.Count}.");
        var pooledBoxes = new List<BoxF>();
        var pooledTruth = new List<BoxF>();
        SequenceResult? ope = null;
        double allSeconds = 0;
        int allTracked = 0, done = 0;
        foreach (int start in starts)
        {
            using var tracker = create();
            var boxes = new List<BoxF>();
            var record = new Record();
            double seconds = 0;
            int tracked = 0;
            for (int index = 0; index < seq.EvalFrameCount; index++)
            {
                Step(tracker, frames[index], seq, index, start, boxes, ref seconds, ref tracked, record);
                if (index >= start) progress?.Invoke(++done);   // the bar counts tracked frames (TreFrames)
            }
            ope ??= record.Into(SequenceResult.From(seq.Name, boxes, seq.GroundTruth, seconds, Math.Max(1, tracked)), boxes, seq.GroundTruth, start);
            pooledBoxes.AddRange(boxes.Skip(start));
            pooledTruth.AddRange(seq.GroundTruth.Skip(start).Take(seq.EvalFrameCount - start));
            allSeconds += seconds;
            allTracked += tracked;
        }
        return (ope!, SequenceResult.From(seq.Name, pooledBoxes, pooledTruth, allSeconds, Math.Max(1, allTracked)));
    }

    private static int FirstValid(Sequence seq, int from)
    {
        if (!seq.HasGroundTruth) throw new BadDataException($"Sequence '{seq.Name}' has no ground truth to evaluate against.");
        for (int i = Math.Max(0, from); i < seq.EvalFrameCount; i++)
            if (seq.GroundTruth[i].IsValid) return i;
        return -1;
    }

    /// <summary>One frame of a run started at <paramref name="start"/>: nothing before it, Init on it (the truth is the answer), Track after.</summary>
    private static void Step(IVisualTracker tracker, Mat frame, Sequence seq, int index, int start, List<BoxF> boxes, ref double seconds, ref int tracked, Record record)
    {
        if (index < start) { boxes.Add(BoxF.Invalid); record.Scores.Add(float.NaN); record.States.Add(TargetState.Tracking); return; }
        var sw = Stopwatch.StartNew();
        if (index == start)
        {
            if (seq.GroundTruth[start].InitProblem(frame.Width, frame.Height) is { } problem)
                throw new BadDataException($"{seq.GroundTruthSource}:{start + 1}: {problem}; a tracker cannot start from it.");
            tracker.Init(frame, seq.GroundTruth[start]);
            seconds += sw.Elapsed.TotalSeconds;
            boxes.Add(seq.GroundTruth[start]);
            record.Scores.Add(1f);
            record.States.Add(TargetState.Tracking);
            return;
        }
        boxes.Add(tracker.Track(frame));
        record.Scores.Add(tracker.Score);
        record.States.Add(tracker.State);
        seconds += sw.Elapsed.TotalSeconds;
        tracked++;
    }
}
