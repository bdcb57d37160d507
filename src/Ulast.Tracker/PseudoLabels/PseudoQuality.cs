namespace Ulast.Tracker;

/// <summary>How good pseudo labels are, measured on a sequence that has ground truth.</summary>
public sealed record PseudoQuality(string Sequence, int Frames, double MeanIou, double ReliableMeanIou, double ReliableAbove05, double Coverage, int ReliableFrames)
{
    public static PseudoQuality Measure(string name, VideoLabels labels, IReadOnlyList<BoxF> truth)
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
        return new PseudoQuality(name, n, all.Count > 0 ? all.Average() : 0, reliable.Count > 0 ? reliable.Average() : 0,
            reliable.Count > 0 ? reliable.Count(v => v > 0.5) / (double)reliable.Count : 0, n > 0 ? reliable.Count / (double)n : 0, reliable.Count);
    }
}
