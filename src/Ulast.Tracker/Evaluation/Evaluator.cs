using System.Diagnostics;

namespace Ulast.Tracker;

/// <summary>One-pass evaluation: initialise on the first valid ground truth, never re-initialise.</summary>
public static class Evaluator
{
    /// <param name="progress">Called after every frame with (frames done, frames in all).</param>
    public static SequenceResult Run(IVisualTracker tracker, Sequence seq, Action<int>? progress = null)
    {
        if (!seq.HasGroundTruth) throw new BadDataException($"Sequence '{seq.Name}' has no ground truth to evaluate against.");
        int start = seq.GroundTruth.ToList().FindIndex(b => b.IsValid);
        if (start < 0) throw new BadDataException($"Sequence '{seq.Name}' has no valid ground-truth box.");
        var boxes = new List<BoxF>();
        double seconds = 0;
        int tracked = 0, index = 0;
        foreach (var frame in seq.ReadFrames())
        {
            using (frame)
            {
                if (index < start) boxes.Add(BoxF.Invalid);
                else if (index == start)
                {
                    var sw = Stopwatch.StartNew();
                    tracker.Init(frame, seq.GroundTruth[start]);
                    seconds += sw.Elapsed.TotalSeconds;
                    boxes.Add(seq.GroundTruth[start]);
                }
                else
                {
                    var sw = Stopwatch.StartNew();
                    boxes.Add(tracker.Track(frame));
                    seconds += sw.Elapsed.TotalSeconds;
                    tracked++;
                }
            }
            index++;
            progress?.Invoke(index);
            if (index >= seq.EvalFrameCount) break;
        }
        return SequenceResult.From(seq.Name, boxes, seq.GroundTruth, seconds, Math.Max(1, tracked));
    }
}
