using OpenCvSharp;

namespace Ulast.Tracker;

/// <summary>
/// Labels a video from motion alone (ULAST §3): candidates on every Step-th frame, the best temporally
/// consistent path through them, linear interpolation in between, a quality per frame from how well
/// each picked box agrees with its neighbours on the path, and the reliable segments.
/// </summary>
public static class PseudoLabeller
{
    public static VideoLabels Label(Sequence seq, PseudoLabelConfig cfg, Action<int, int>? progress = null)
    {
        var grey = new List<Mat>();
        int width = 0, height = 0;
        float scaleBack = 1;
        try
        {
            foreach (var frame in seq.ReadFrames())
            {
                using (frame)
                {
                    if (width == 0)
                    {
                        width = frame.Width; height = frame.Height;
                        scaleBack = Math.Max(1f, (float)Math.Max(width, height) / cfg.FlowSize);
                    }
                    var g = new Mat();
                    Cv2.CvtColor(frame, g, ColorConversionCodes.BGR2GRAY);
                    if (scaleBack > 1) Cv2.Resize(g, g, new Size((int)Math.Round(width / scaleBack), (int)Math.Round(height / scaleBack)), 0, 0, InterpolationFlags.Area);
                    grey.Add(g);
                }
            }
            return LabelFrames(seq.Path, grey, width, height, scaleBack, cfg, progress);
        }
        finally { foreach (var g in grey) g.Dispose(); }
    }

    public static VideoLabels LabelFrames(string source, IReadOnlyList<Mat> grey, int width, int height, float scaleBack, PseudoLabelConfig cfg, Action<int, int>? progress)
    {
        int n = grey.Count;
        if (n < 3) return Dropped(source, n, width, height, "fewer than 3 frames");
        var picked = Enumerable.Range(0, (n + cfg.Step - 1) / cfg.Step).Select(i => i * cfg.Step).ToList();
        var candidates = new List<IReadOnlyList<Candidate>>();
        for (int i = 0; i < picked.Count; i++)
        {
            candidates.Add(MotionCandidates.Find(grey, picked[i], scaleBack, cfg).candidates);
            progress?.Invoke(i + 1, picked.Count);
        }
        var choice = PathLinker.Link(candidates, cfg);
        var chain = Enumerable.Range(0, picked.Count).Where(i => choice[i] >= 0).ToList();
        var boxes = new float[]?[n];
        var quality = new float[n];
        if (chain.Count == 0) return Dropped(source, n, width, height, "no moving object found");
        // Quality of a picked box: its worst transition to the neighbouring picked boxes on the path.
        var q = new Dictionary<int, float>();
        for (int c = 0; c < chain.Count; c++)
        {
            var box = candidates[chain[c]][choice[chain[c]]].Box;
            double worst = double.PositiveInfinity;
            if (c > 0) worst = Math.Min(worst, PathLinker.Transition(candidates[chain[c - 1]][choice[chain[c - 1]]].Box, box, cfg));
            if (c + 1 < chain.Count) worst = Math.Min(worst, PathLinker.Transition(box, candidates[chain[c + 1]][choice[chain[c + 1]]].Box, cfg));
            q[chain[c]] = chain.Count == 1 ? 0f : (float)Math.Clamp(worst, 0, 1);
        }
        for (int c = 0; c < chain.Count; c++)
        {
            int i = chain[c], f = picked[i];
            var b = candidates[i][choice[i]].Box;
            boxes[f] = new[] { b.X, b.Y, b.W, b.H };
            quality[f] = q[i];
            if (c + 1 == chain.Count) continue;
            int j = chain[c + 1], g = picked[j];
            var e = candidates[j][choice[j]].Box;
            float qBetween = Math.Min(q[i], q[j]) * (g - f <= 2 * cfg.Step ? 1f : 0.5f);
            for (int t = f + 1; t < g; t++)
            {
                float a = (float)(t - f) / (g - f);
                boxes[t] = new[] { b.X + a * (e.X - b.X), b.Y + a * (e.Y - b.Y), b.W + a * (e.W - b.W), b.H + a * (e.H - b.H) };
                quality[t] = qBetween;
            }
        }
        var segments = Segments(quality, cfg);
        float videoQuality = quality.Average();
        bool drop = segments.Length == 0 || videoQuality < cfg.MinVideoQuality;
        return new VideoLabels
        {
            Source = source, Frames = n, Width = width, Height = height, Boxes = boxes, Quality = quality, VideoQuality = videoQuality,
            Segments = segments, Dropped = drop,
            Reason = drop ? (segments.Length == 0 ? $"no reliable run of {cfg.MinSegment}+ frames" : $"video quality {videoQuality:0.00} < {cfg.MinVideoQuality}") : null,
        };
    }

    public static int[][] Segments(float[] quality, PseudoLabelConfig cfg)
    {
        var segs = new List<int[]>();
        int start = -1;
        for (int t = 0; t <= quality.Length; t++)
        {
            bool ok = t < quality.Length && quality[t] >= cfg.ReliableQuality;
            if (ok && start < 0) start = t;
            if (!ok && start >= 0)
            {
                if (t - start >= cfg.MinSegment) segs.Add(new[] { start, t - 1 });
                start = -1;
            }
        }
        return segs.ToArray();
    }

    private static VideoLabels Dropped(string source, int n, int w, int h, string reason) => new()
    {
        Source = source, Frames = n, Width = w, Height = h, Boxes = new float[]?[n], Quality = new float[n], Segments = Array.Empty<int[]>(),
        Dropped = true, Reason = reason,
    };
}
