using OpenCvSharp;
using Ulast.Tracker.Data;

namespace Ulast.Tracker.PseudoLabels;

/// <summary>
/// Candidate boxes of a frame from motion (ULAST §3, steps 1–2): Farnebäck flow between frames t−Δ and
/// t+Δ of the downscaled grey video, motion saliency D = ‖flow − mean flow‖ (the mean removes camera
/// translation), thresholds α·mean(D) + (1 − α)·max(D), connected components → boxes, scored by their
/// saliency contrast and distance from the border; too small, too large, too elongated and
/// border-hugging boxes are dropped.
/// </summary>
public static class MotionCandidates
{
    public static (List<Candidate> candidates, int gap) Find(IReadOnlyList<Mat> grey, int t, float scaleBack, PseudoLabelConfig cfg)
    {
        int gap = cfg.MinGap;
        using var flow = new Mat();
        double motion = 0;
        while (true)
        {
            int a = Math.Max(0, t - gap), b = Math.Min(grey.Count - 1, t + gap);
            if (a == b) return (new List<Candidate>(), gap);
            Cv2.CalcOpticalFlowFarneback(grey[a], grey[b], flow, 0.5, 3, cfg.FlowWindow, 3, 5, 1.2, 0);
            motion = HighMagnitude(flow);
            if (motion >= cfg.MinMotion || gap * 2 > cfg.MaxGap) break;
            gap *= 2;
        }
        var channels = Cv2.Split(flow);
        using var fx = new Mat();
        using var fy = new Mat();
        if (!cfg.CompensateCamera || !SubtractCameraMotion(channels[0], channels[1], fx, fy))
        {
            var mean = Cv2.Mean(flow);
            Cv2.Subtract(channels[0], new Scalar(mean.Val0), fx);
            Cv2.Subtract(channels[1], new Scalar(mean.Val1), fy);
        }
        foreach (var c in channels) c.Dispose();
        using var sal = new Mat();
        Cv2.Magnitude(fx, fy, sal);
        if (cfg.SaliencyBlur > 1) Cv2.GaussianBlur(sal, sal, new Size(cfg.SaliencyBlur, cfg.SaliencyBlur), 0);
        Cv2.MinMaxLoc(sal, out _, out double max, out _, out Point peak);
        double salMean = Cv2.Mean(sal).Val0;
        var found = new List<Candidate>();
        if (max <= 1e-6) return (found, gap);
        if (cfg.MinPeakRatio > 0 && max < cfg.MinPeakRatio * salMean) return (found, gap);   // motion everywhere alike: no object stands out
        int w = sal.Width, h = sal.Height;
        foreach (var alpha in cfg.Alphas)
        {
            double thr = alpha * salMean + (1 - alpha) * max;
            using var mask = new Mat();
            Cv2.Threshold(sal, mask, thr, 255, ThresholdTypes.Binary);
            mask.ConvertTo(mask, MatType.CV_8U);
            if (cfg.Closing > 1) Cv2.MorphologyEx(mask, mask, MorphTypes.Close, Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(cfg.Closing, cfg.Closing)));
            using var labels = new Mat();
            using var stats = new Mat();
            using var centroids = new Mat();
            int n = Cv2.ConnectedComponentsWithStats(mask, labels, stats, centroids);
            for (int i = 1; i < n; i++)
            {
                int x = stats.At<int>(i, 0), y = stats.At<int>(i, 1), bw = stats.At<int>(i, 2), bh = stats.At<int>(i, 3), area = stats.At<int>(i, 4);
                float frac = (float)area / (w * h);
                if (frac < cfg.MinAreaFraction || (float)bw * bh / (w * h) > cfg.MaxAreaFraction) continue;
                if (Math.Max(bw, bh) > cfg.MaxAspect * Math.Min(bw, bh)) continue;
                if (bw < cfg.MinSideFraction * w || bh < cfg.MinSideFraction * h) continue;
                int touching = (x <= 1 ? 1 : 0) + (y <= 1 ? 1 : 0) + (x + bw >= w - 1 ? 1 : 0) + (y + bh >= h - 1 ? 1 : 0);
                if (touching >= 2) continue;
                using var roi = new Mat(sal, new Rect(x, y, bw, bh));
                double inside = Cv2.Mean(roi).Val0;
                double contrast = Math.Clamp((inside - salMean) / (max - salMean + 1e-9), 0, 1);
                double border = Math.Min(Math.Min(x, y), Math.Min(w - x - bw, h - y - bh)) / (0.05 * Math.Max(w, h));
                double fill = (double)area / (bw * bh);
                float score = (float)(contrast * Math.Clamp(border, 0.2, 1) * Math.Sqrt(fill));
                if (labels.At<int>(peak.Y, peak.X) == i) score *= cfg.PeakBonus;
                float sx = Math.Min(cfg.Shrink, bw / 4f), sy = Math.Min(cfg.Shrink, bh / 4f);
                found.Add(new Candidate(new BoxF((x + sx) * scaleBack, (y + sy) * scaleBack, (bw - 2 * sx) * scaleBack, (bh - 2 * sy) * scaleBack), score));
            }
        }
        // Keep the best distinct candidates.
        var kept = new List<Candidate>();
        foreach (var c in found.OrderByDescending(c => c.Score))
        {
            if (kept.Any(k => k.Box.Iou(c.Box) > 0.7)) continue;
            kept.Add(c);
            if (kept.Count == cfg.CandidatesPerFrame) break;
        }
        return (kept, gap);
    }

    /// <summary>
    /// Fits an affine camera motion to the flow on a grid (RANSAC, so the moving object is an outlier)
    /// and writes the residual flow. False when the fit fails.
    /// </summary>
    private static unsafe bool SubtractCameraMotion(Mat flowX, Mat flowY, Mat residualX, Mat residualY)
    {
        int w = flowX.Width, h = flowX.Height, step = Math.Max(4, Math.Min(w, h) / 32);
        var src = new List<Point2f>();
        var dst = new List<Point2f>();
        for (int y = step / 2; y < h; y += step)
        {
            float* px = (float*)flowX.Ptr(y), py = (float*)flowY.Ptr(y);
            for (int x = step / 2; x < w; x += step)
            {
                src.Add(new Point2f(x, y));
                dst.Add(new Point2f(x + px[x], y + py[x]));
            }
        }
        if (src.Count < 12) return false;
        using var inliers = new Mat();
        using var m = Cv2.EstimateAffine2D(InputArray.Create(src), InputArray.Create(dst), inliers, RobustEstimationAlgorithms.RANSAC, 1.0);
        if (m is null || m.Empty()) return false;
        double a00 = m.At<double>(0, 0), a01 = m.At<double>(0, 1), a02 = m.At<double>(0, 2);
        double a10 = m.At<double>(1, 0), a11 = m.At<double>(1, 1), a12 = m.At<double>(1, 2);
        flowX.CopyTo(residualX);
        flowY.CopyTo(residualY);
        for (int y = 0; y < h; y++)
        {
            float* rx = (float*)residualX.Ptr(y), ry = (float*)residualY.Ptr(y);
            for (int x = 0; x < w; x++)
            {
                rx[x] -= (float)(a00 * x + a01 * y + a02 - x);
                ry[x] -= (float)(a10 * x + a11 * y + a12 - y);
            }
        }
        return true;
    }

    /// <summary>The 99th percentile of the flow magnitude: how fast the fastest things move (a small object over a still background leaves the median at 0).</summary>
    private static double HighMagnitude(Mat flow)
    {
        var ch = Cv2.Split(flow);
        using var mag = new Mat();
        Cv2.Magnitude(ch[0], ch[1], mag);
        foreach (var c in ch) c.Dispose();
        mag.GetArray(out float[] v);
        var sample = v.Where((_, i) => i % 7 == 0).OrderBy(x => x).ToArray();
        return sample.Length == 0 ? 0 : sample[(int)(sample.Length * 0.99)];
    }
}
