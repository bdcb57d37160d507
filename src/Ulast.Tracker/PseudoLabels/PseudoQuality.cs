using Ulast.Tracker.Data;

namespace Ulast.Tracker.PseudoLabels;

/// <summary>
/// How good pseudo labels are, measured on a sequence that has ground truth. With the candidates the labeller
/// saw, also the oracle: the best candidate's IoU on each labelled frame — what a perfect choice among them
/// would score, which separates a motion step that never boxes the object from a path that picks the wrong box.
/// </summary>
public sealed record PseudoQuality(string Sequence, int Frames, double MeanIou, double ReliableMeanIou, double ReliableAbove05, double Coverage, int ReliableFrames,
    double OracleIou = double.NaN, double OracleAbove05 = double.NaN, int OracleFrames = 0)
{
    public static PseudoQuality Measure(string name, VideoLabels labels, IReadOnlyList<BoxF> truth, IReadOnlyList<(int frame, IReadOnlyList<Candidate> candidates)>? seen = null)
    {
        var all = new List<double>();
        var reliable = new List<double>();
        int n = Math.Min(labels.Frames, truth.Count);
        for (int t = 0; t < n; t++)
        {
            if (!truth[t].IsValid) continue;
            var p = labels.Box(t);
            double iou = p.IsValid ? p.Iou(truth[t]) : 0;
            all.Add(iou);
            if (labels.SegmentOf(t) is not null && p.IsValid) reliable.Add(iou);
        }
        var oracle = new List<double>();
        foreach (var (f, cands) in seen ?? Array.Empty<(int, IReadOnlyList<Candidate>)>())
            if (f < n && truth[f].IsValid) oracle.Add(cands.Count == 0 ? 0 : cands.Max(c => c.Box.Iou(truth[f])));
        return new PseudoQuality(name, n, all.Count > 0 ? all.Average() : 0, reliable.Count > 0 ? reliable.Average() : 0,
            reliable.Count > 0 ? reliable.Count(v => v > 0.5) / (double)reliable.Count : 0, n > 0 ? reliable.Count / (double)n : 0, reliable.Count,
            oracle.Count > 0 ? oracle.Average() : double.NaN, oracle.Count > 0 ? oracle.Count(v => v > 0.5) / (double)oracle.Count : double.NaN, oracle.Count);
    }
}
