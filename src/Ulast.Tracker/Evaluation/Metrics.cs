namespace Ulast.Tracker;

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

    public static SequenceResult From(string name, IReadOnlyList<BoxF> predicted, IReadOnlyList<BoxF> truth, double seconds, int trackedFrames)
    {
        var (iou, centre, norm) = Metrics.Errors(predicted, truth);
        var s = Metrics.SuccessCurve(iou);
        var p = Metrics.PrecisionCurve(centre, Metrics.PrecisionThresholds);
        var n = Metrics.PrecisionCurve(norm, Metrics.NormThresholds);
        return new SequenceResult(name, iou.Length, Metrics.Auc(s), p[20], Metrics.Auc(n), seconds, trackedFrames, s, p, n, predicted);
    }
}
