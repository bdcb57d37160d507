using Ulast.Tracker.Data;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.Evaluation;

/// <summary>One-pass evaluation metrics (ULAST §9). Frames with invalid ground truth are skipped.</summary>
public static class Metrics
{
    /// <summary>IoU thresholds 0, 0.05, …, 1 of the success plot.</summary>
    public static readonly double[] SuccessThresholds = Enumerable.Range(0, 21).Select(i => i * 0.05).ToArray();
    /// <summary>Centre-error thresholds 0…50 px of the precision plot.</summary>
    public static readonly double[] PrecisionThresholds = Enumerable.Range(0, 51).Select(i => (double)i).ToArray();
    /// <summary>Normalised centre-error thresholds 0, 0.01, …, 0.5.</summary>
    public static readonly double[] NormThresholds = Enumerable.Range(0, 51).Select(i => i * 0.01).ToArray();

    public static (double[] iou, double[] centre, double[] normCentre) Errors(IReadOnlyList<BoxF> predicted, IReadOnlyList<BoxF> truth)
    {
        var iou = new List<double>();
        var centre = new List<double>();
        var norm = new List<double>();
        for (int i = 0; i < Math.Min(predicted.Count, truth.Count); i++)
        {
            var g = truth[i];
            if (!g.IsValid) continue;
            var p = predicted[i];
            if (!p.IsValid) { iou.Add(0); centre.Add(double.PositiveInfinity); norm.Add(double.PositiveInfinity); continue; }
            iou.Add(p.Iou(g));
            double dx = p.Cx - g.Cx, dy = p.Cy - g.Cy;
            centre.Add(Math.Sqrt(dx * dx + dy * dy));
            norm.Add(Math.Sqrt(dx / g.W * (dx / g.W) + dy / g.H * (dy / g.H)));
        }
        return (iou.ToArray(), centre.ToArray(), norm.ToArray());
    }

    /// <summary>Fraction of frames whose IoU exceeds each threshold.</summary>
    public static double[] SuccessCurve(double[] iou) =>
        SuccessThresholds.Select(t => iou.Length == 0 ? 0 : iou.Count(v => v > t) / (double)iou.Length).ToArray();

    /// <summary>Fraction of frames whose error is at most each threshold.</summary>
    public static double[] PrecisionCurve(double[] errors, double[] thresholds) =>
        thresholds.Select(t => errors.Length == 0 ? 0 : errors.Count(v => v <= t) / (double)errors.Length).ToArray();

    public static double Auc(double[] curve) => curve.Length == 0 ? 0 : curve.Average();
}

/// <summary>A tracker's result on one sequence. Frames counts the frames with valid ground truth; TrackedFrames and Seconds time the tracker.</summary>
public sealed record SequenceResult(string Sequence, int Frames, double Auc, double Precision, double NormPrecision, double Seconds, int TrackedFrames,
    double[] SuccessCurve, double[] PrecisionCurve, double[] NormCurve, IReadOnlyList<BoxF> Boxes)
{
    public double Fps => Seconds > 0 ? TrackedFrames / Seconds : 0;
    /// <summary>The tracker's score and state per frame (the init frame included), when recorded.</summary>
    public IReadOnlyList<float>? Scores { get; init; }
    public IReadOnlyList<TargetState>? States { get; init; }
    /// <summary>"Lost" against frames where the target is absent or the box misses it (IoU 0), tracked frames only.</summary>
    public LostCounts Lost { get; init; }
    /// <summary>[ours] The score's calibration: per tenth of the score range, tracked frames and those with IoU &gt; 0.5.</summary>
    public ScoreCalibration Calibration { get; init; } = new();

    public static SequenceResult From(string name, IReadOnlyList<BoxF> predicted, IReadOnlyList<BoxF> truth, double seconds, int trackedFrames)
    {
        var (iou, centre, norm) = Metrics.Errors(predicted, truth);
        var s = Metrics.SuccessCurve(iou);
        var p = Metrics.PrecisionCurve(centre, Metrics.PrecisionThresholds);
        var n = Metrics.PrecisionCurve(norm, Metrics.NormThresholds);
        return new SequenceResult(name, iou.Length, Metrics.Auc(s), p[20], Metrics.Auc(n), seconds, trackedFrames, s, p, n, predicted);
    }
}

/// <summary>
/// [ours] How well a tracker's "lost" matches reality over tracked frames: a true positive is a frame it calls lost where
/// the target is absent (no valid ground truth) or its box misses it (IoU 0).
/// </summary>
public readonly record struct LostCounts(int TruePositive, int FalsePositive, int FalseNegative)
{
    public double Precision => TruePositive + FalsePositive == 0 ? double.NaN : TruePositive / (double)(TruePositive + FalsePositive);
    public double Recall => TruePositive + FalseNegative == 0 ? double.NaN : TruePositive / (double)(TruePositive + FalseNegative);

    public static LostCounts operator +(LostCounts a, LostCounts b) =>
        new(a.TruePositive + b.TruePositive, a.FalsePositive + b.FalsePositive, a.FalseNegative + b.FalseNegative);

    /// <param name="start">The init frame: only later frames count.</param>
    public static LostCounts Of(IReadOnlyList<BoxF> boxes, IReadOnlyList<BoxF> truth, IReadOnlyList<TargetState> states, int start)
    {
        int tp = 0, fp = 0, fn = 0;
        for (int i = start + 1; i < Math.Min(boxes.Count, Math.Min(truth.Count, states.Count)); i++)
        {
            bool missing = !truth[i].IsValid || !boxes[i].IsValid || boxes[i].Iou(truth[i]) <= 0;
            bool lost = states[i] == TargetState.Lost;
            if (lost && missing) tp++;
            else if (lost) fp++;
            else if (missing) fn++;
        }
        return new LostCounts(tp, fp, fn);
    }
}

/// <summary>
/// [ours] What a tracker's score means: the tracked frames in each tenth of [0, 1] and how many of them have IoU &gt; 0.5
/// with the ground truth (frames without a valid ground truth are left out).
/// </summary>
public sealed record ScoreCalibration
{
    public const int Bins = 10;
    public int[] Frames { get; init; } = new int[Bins];
    public int[] Hits { get; init; } = new int[Bins];

    public static int Bin(float score) => Math.Clamp((int)(score * Bins), 0, Bins - 1);

    public static ScoreCalibration Of(IReadOnlyList<BoxF> boxes, IReadOnlyList<BoxF> truth, IReadOnlyList<float> scores, int start)
    {
        var c = new ScoreCalibration();
        for (int i = start + 1; i < Math.Min(boxes.Count, Math.Min(truth.Count, scores.Count)); i++)
        {
            if (!truth[i].IsValid || !float.IsFinite(scores[i])) continue;
            int b = Bin(scores[i]);
            c.Frames[b]++;
            if (boxes[i].IsValid && boxes[i].Iou(truth[i]) > 0.5) c.Hits[b]++;
        }
        return c;
    }

    public static ScoreCalibration operator +(ScoreCalibration a, ScoreCalibration b) => new()
    {
        Frames = a.Frames.Zip(b.Frames, (x, y) => x + y).ToArray(),
        Hits = a.Hits.Zip(b.Hits, (x, y) => x + y).ToArray(),
    };
}
