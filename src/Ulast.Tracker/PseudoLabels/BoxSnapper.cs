using OpenCvSharp;
using Ulast.Tracker.Data;

namespace Ulast.Tracker.PseudoLabels;

/// <summary>
/// [ours] Snaps a motion box to the object it sits on (labels issue, "better boxes"). Flow marks where
/// things move, not where they end: a textureless object moves only at its edges and the flow window
/// smears the rest. GrabCut on a window around the box of the downscaled colour frame takes the box as
/// probable foreground, the rest of the window as probable background and the window's rim as sure
/// background; the new box bounds the foreground component that overlaps the old box most. A snap that
/// changes the area by more than <see cref="PseudoLabelConfig.SnapMaxAreaChange"/>× either way, or leaves
/// no foreground, keeps the old box: GrabCut fails that way when object and background share colours.
/// </summary>
public static class BoxSnapper
{
    /// <summary>The snapped box, in the same pixels as <paramref name="box"/> (those of <paramref name="colour"/>).</summary>
    public static BoxF Snap(Mat colour, BoxF box, PseudoLabelConfig cfg)
    {
        if (!box.IsValid || box.W < 2 || box.H < 2) return box;
        int fw = colour.Width, fh = colour.Height;
        float m = cfg.SnapMargin;
        int x0 = Math.Clamp((int)MathF.Floor(box.X - m * box.W), 0, fw - 1), y0 = Math.Clamp((int)MathF.Floor(box.Y - m * box.H), 0, fh - 1);
        int x1 = Math.Clamp((int)MathF.Ceiling(box.Right + m * box.W), x0 + 1, fw), y1 = Math.Clamp((int)MathF.Ceiling(box.Bottom + m * box.H), y0 + 1, fh);
        if (x1 - x0 < 8 || y1 - y0 < 8) return box;
        // GrabCut's cost grows with the window's pixels: work on a copy at most SnapWindow pixels a side.
        double s = Math.Min(1.0, cfg.SnapWindow / (double)Math.Max(x1 - x0, y1 - y0));
        using var roi = new Mat(colour, new Rect(x0, y0, x1 - x0, y1 - y0));
        using var win = new Mat();
        if (s < 1) Cv2.Resize(roi, win, new Size(Math.Max(8, (int)Math.Round((x1 - x0) * s)), Math.Max(8, (int)Math.Round((y1 - y0) * s))), 0, 0, InterpolationFlags.Area);
        else roi.CopyTo(win);
        double sx = win.Width / (double)(x1 - x0), sy = win.Height / (double)(y1 - y0);
        var inner = Rect.FromLTRB((int)Math.Round((box.X - x0) * sx), (int)Math.Round((box.Y - y0) * sy),
            (int)Math.Round((box.Right - x0) * sx), (int)Math.Round((box.Bottom - y0) * sy)) & new Rect(0, 0, win.Width, win.Height);
        if (inner.Width < 2 || inner.Height < 2 || inner.Width * inner.Height > 0.8 * win.Width * win.Height) return box;   // no background left to learn from
        int rim = Math.Max(1, (int)Math.Round(0.08 * Math.Min(win.Width, win.Height)));
        using var mask = new Mat(win.Size(), MatType.CV_8UC1, Scalar.All((int)GrabCutClasses.BGD));
        Cv2.Rectangle(mask, new Rect(rim, rim, Math.Max(1, win.Width - 2 * rim), Math.Max(1, win.Height - 2 * rim)), Scalar.All((int)GrabCutClasses.PR_BGD), -1);
        Cv2.Rectangle(mask, inner, Scalar.All((int)GrabCutClasses.PR_FGD), -1);
        using var bgd = new Mat();
        using var fgd = new Mat();
        // GrabCut's k-means draws from OpenCV's per-thread RNG: seeded here so a box snaps the same on any thread.
        Cv2.SetTheRNG(0x5EED);
        Cv2.GrabCut(win, mask, new Rect(), bgd, fgd, cfg.SnapIterations, GrabCutModes.InitWithMask);
        // Foreground = FGD (1) or PR_FGD (3): the low bit.
        using var fg = new Mat();
        Cv2.BitwiseAnd(mask, Scalar.All(1), fg);
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        int n = Cv2.ConnectedComponentsWithStats(fg, labels, stats, centroids);
        int best = -1, bestOverlap = 0;
        for (int i = 1; i < n; i++)
        {
            using var part = new Mat(labels, inner);
            using var isI = new Mat();
            Cv2.Compare(part, Scalar.All(i), isI, CmpTypes.EQ);
            int overlap = Cv2.CountNonZero(isI);
            if (overlap > bestOverlap) { bestOverlap = overlap; best = i; }
        }
        if (best < 0) return box;
        int bx = stats.At<int>(best, 0), by = stats.At<int>(best, 1), bw = stats.At<int>(best, 2), bh = stats.At<int>(best, 3);
        var snapped = new BoxF((float)(x0 + bx / sx), (float)(y0 + by / sy), (float)(bw / sx), (float)(bh / sy));
        double change = snapped.W * snapped.H / (box.W * box.H);
        if (change > cfg.SnapMaxAreaChange || change < 1 / cfg.SnapMaxAreaChange) return box;
        return snapped;
    }
}
