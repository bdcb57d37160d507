using OpenCvSharp;

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

    /// <summary>A montage: for each sequence a row of frames with the true box (green) and the pseudo box (red; thick when reliable).</summary>
    public static void Montage(string path, IReadOnlyList<(Sequence seq, VideoLabels labels)> items, int perRow = 5, int tile = 200)
    {
        using var canvas = new Mat(tile * items.Count, tile * perRow, MatType.CV_8UC3, Scalar.White);
        for (int r = 0; r < items.Count; r++)
        {
            var (seq, labels) = items[r];
            var picks = Enumerable.Range(0, perRow).Select(i => (int)((long)(labels.Frames - 1) * (i + 1) / (perRow + 1))).ToList();
            int index = 0, c = 0;
            foreach (var frame in seq.ReadFrames())
            {
                using (frame)
                {
                    if (c < picks.Count && index == picks[c])
                    {
                        var g = index < seq.GroundTruth.Count ? seq.GroundTruth[index] : BoxF.Invalid;
                        if (g.IsValid) Cv2.Rectangle(frame, ToRect(g), new Scalar(0, 200, 0), Math.Max(2, frame.Width / 160));
                        var p = labels.Box(index);
                        bool ok = labels.SegmentOf(index) is not null;
                        if (p.IsValid) Cv2.Rectangle(frame, ToRect(p), new Scalar(0, 0, 230), Math.Max(ok ? 3 : 1, frame.Width / (ok ? 120 : 320)));
                        double s = Math.Min((double)tile / frame.Width, (double)tile / frame.Height);
                        using var small = new Mat();
                        Cv2.Resize(frame, small, new Size((int)(frame.Width * s), (int)(frame.Height * s)));
                        small.CopyTo(new Mat(canvas, new Rect(c * tile, r * tile, small.Width, small.Height)));
                        Cv2.PutText(canvas, $"{seq.Name} #{index}", new Point(c * tile + 4, r * tile + 14), HersheyFonts.HersheySimplex, 0.4, new Scalar(255, 255, 0), 1);
                        c++;
                    }
                }
                index++;
                if (c >= picks.Count) break;
            }
        }
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var tmp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, ".tmp-" + Environment.ProcessId + "-" + System.IO.Path.GetFileName(full));
        if (!Cv2.ImWrite(tmp, canvas)) throw new IOException($"Could not write '{path}'.");
        File.Move(tmp, full, overwrite: true);
    }

    private static Rect ToRect(BoxF b) => new((int)b.X, (int)b.Y, Math.Max(1, (int)b.W), Math.Max(1, (int)b.H));
}
