using OpenCvSharp;
using Ulast.Tracker.Data;

namespace Ulast.Tracker.PseudoLabels;

/// <summary>
/// Labels a video from motion alone (ULAST §3): candidates on every Step-th frame, the best temporally
/// consistent path through them, linear interpolation in between, a quality per frame from how well
/// each picked box agrees with its neighbours on the path, and the reliable segments.
/// </summary>
public static class PseudoLabeller
{
    /// <param name="progress">Called as (frames done, frames) in the video's frames, however many are labelled.</param>
    /// <param name="seen">Called with each labelled frame and its candidates (full-resolution boxes), for diagnostics.</param>
    public static VideoLabels Label(Sequence seq, PseudoLabelConfig cfg, Action<int, int>? progress = null, Action<int, IReadOnlyList<Candidate>>? seen = null)
    {
        var grey = new List<Mat>();
        var colour = new List<Mat?>();
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
                    // Only the labelled frames' colour is needed, and only to snap boxes.
                    Mat? small = null;
                    if (cfg.SnapBoxes && colour.Count % cfg.Step == 0)
                    {
                        small = new Mat();
                        if (scaleBack > 1) Cv2.Resize(frame, small, g.Size(), 0, 0, InterpolationFlags.Area);
                        else frame.CopyTo(small);
                    }
                    colour.Add(small);
                }
            }
            return LabelFrames(seq.Path, grey, width, height, scaleBack, cfg, progress, cfg.SnapBoxes ? colour : null, seen);
        }
        finally
        {
            foreach (var g in grey) g.Dispose();
            foreach (var c in colour) c?.Dispose();
        }
    }

    /// <param name="colour">Downscaled colour frames (null where not labelled) for <see cref="PseudoLabelConfig.SnapBoxes"/>; null: no snapping.</param>
    public static VideoLabels LabelFrames(string source, IReadOnlyList<Mat> grey, int width, int height, float scaleBack, PseudoLabelConfig cfg, Action<int, int>? progress,
        IReadOnlyList<Mat?>? colour = null, Action<int, IReadOnlyList<Candidate>>? seen = null)
    {
        int n = grey.Count;
        if (n < 3) return Dropped(source, n, width, height, "fewer than 3 frames");
        var picked = Enumerable.Range(0, (n + cfg.Step - 1) / cfg.Step).Select(i => i * cfg.Step).ToList();
        var candidates = new List<IReadOnlyList<Candidate>>();
        for (int i = 0; i < picked.Count; i++)
        {
            candidates.Add(MotionCandidates.Find(grey, picked[i], scaleBack, cfg).candidates);
            seen?.Invoke(picked[i], candidates[i]);
            // Counted in the video's frames, as a user counts them (every Step-th is labelled; the last covers the rest).
            progress?.Invoke(i + 1 == picked.Count ? n : picked[i] + 1, n);
        }
        var choice = PathLinker.Link(candidates, cfg);
        var chain = Enumerable.Range(0, picked.Count).Where(i => choice[i] >= 0).ToList();
        var boxes = new float[]?[n];
        var quality = new float[n];
        if (chain.Count == 0) return Dropped(source, n, width, height, "no moving object found");
        // The path's boxes, snapped to the object under them when asked (after linking: the path picks the object, the snap its extent).
        var pathBox = chain.Select(i => candidates[i][choice[i]].Box).ToArray();
        var motionBox = pathBox.ToArray();   // kept for the quality below
        if (colour is not null)
            for (int c = 0; c < chain.Count; c++)
                if (colour[picked[chain[c]]] is { } img)
                {
                    var b = pathBox[c];
                    var s = BoxSnapper.Snap(img, new BoxF(b.X / scaleBack, b.Y / scaleBack, b.W / scaleBack, b.H / scaleBack), cfg);
                    pathBox[c] = new BoxF(s.X * scaleBack, s.Y * scaleBack, s.W * scaleBack, s.H * scaleBack);
                }
        // Quality of a picked box: its worst transition to the neighbouring picked boxes on the path — of the motion
        // boxes, snapped or not: it judges the motion evidence (judged on the snapped boxes, GrabCut's jitter lowered
        // both the annotated sequences' coverage and their reliable IoU; docs/notebook/experiments.md).
        var q = new Dictionary<int, float>();
        for (int c = 0; c < chain.Count; c++)
        {
            var box = motionBox[c];
            double worst = double.PositiveInfinity;
            if (c > 0) worst = Math.Min(worst, PathLinker.Transition(motionBox[c - 1], box, cfg));
            if (c + 1 < chain.Count) worst = Math.Min(worst, PathLinker.Transition(box, motionBox[c + 1], cfg));
            q[chain[c]] = chain.Count == 1 ? 0f : (float)Math.Clamp(worst, 0, 1);
        }
        for (int c = 0; c < chain.Count; c++)
        {
            int i = chain[c], f = picked[i];
            var b = pathBox[c];
            boxes[f] = new[] { b.X, b.Y, b.W, b.H };
            quality[f] = q[i];
            if (c + 1 == chain.Count) continue;
            int j = chain[c + 1], g = picked[j];
            var e = pathBox[c + 1];
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
