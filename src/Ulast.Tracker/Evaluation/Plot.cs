using System.Globalization;
using OpenCvSharp;

namespace Ulast.Tracker;

/// <summary>Line plots drawn with OpenCV: axes, grid, one curve per tracker, a legend with each tracker's figure.</summary>
public static class Plot
{
    private static readonly Scalar[] Colours =
    {
        new(200, 60, 20), new(30, 140, 30), new(20, 20, 200), new(160, 30, 160), new(0, 150, 200), new(90, 90, 90),
    };

    public static void Curves(string path, string title, string xLabel, string yLabel, double[] xs,
        IEnumerable<(string label, double[] ys)> series, double xMax, double yMax = 1)
    {
        const int W = 800, H = 600, L = 80, R = 30, T = 50, B = 70;
        using var img = new Mat(H, W, MatType.CV_8UC3, Scalar.White);
        int X(double x) => L + (int)Math.Round(x / xMax * (W - L - R));
        int Y(double y) => H - B - (int)Math.Round(Math.Clamp(y / yMax, 0, 1) * (H - T - B));
        for (int i = 0; i <= 10; i++)
        {
            double fx = xMax * i / 10, fy = yMax * i / 10;
            Cv2.Line(img, new Point(X(fx), Y(0)), new Point(X(fx), Y(yMax)), new Scalar(230, 230, 230));
            Cv2.Line(img, new Point(X(0), Y(fy)), new Point(X(xMax), Y(fy)), new Scalar(230, 230, 230));
            Cv2.PutText(img, fx.ToString(xMax <= 1 ? "0.0" : "0", CultureInfo.InvariantCulture), new Point(X(fx) - 12, H - B + 22), HersheyFonts.HersheySimplex, 0.45, Scalar.Black);
            Cv2.PutText(img, fy.ToString(yMax < 10 ? "0.0#" : "0", CultureInfo.InvariantCulture), new Point(L - 40, Y(fy) + 5), HersheyFonts.HersheySimplex, 0.45, Scalar.Black);
        }
        Cv2.Rectangle(img, new Point(X(0), Y(yMax)), new Point(X(xMax), Y(0)), Scalar.Black);
        Cv2.PutText(img, title, new Point(L + 110, 28), HersheyFonts.HersheySimplex, 0.7, Scalar.Black, 2);
        Cv2.PutText(img, xLabel, new Point(W / 2 - 60, H - 20), HersheyFonts.HersheySimplex, 0.55, Scalar.Black);
        Cv2.PutText(img, yLabel, new Point(8, T - 10), HersheyFonts.HersheySimplex, 0.55, Scalar.Black);
        int n = 0;
        foreach (var (label, ys) in series)
        {
            var colour = Colours[n % Colours.Length];
            for (int i = 1; i < Math.Min(xs.Length, ys.Length); i++)
                if (double.IsFinite(ys[i - 1]) && double.IsFinite(ys[i]))
                    Cv2.Line(img, new Point(X(xs[i - 1]), Y(ys[i - 1])), new Point(X(xs[i]), Y(ys[i])), colour, 2, LineTypes.AntiAlias);
            int ly = T + 20 + 24 * n;
            Cv2.Line(img, new Point(W - R - 230, ly - 5), new Point(W - R - 200, ly - 5), colour, 3);
            Cv2.PutText(img, label, new Point(W - R - 192, ly), HersheyFonts.HersheySimplex, 0.5, Scalar.Black);
            n++;
        }
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var tmp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, ".tmp-" + Environment.ProcessId + "-" + System.IO.Path.GetFileName(full));
        if (!Cv2.ImWrite(tmp, img)) throw new IOException($"Could not write '{path}'.");
        File.Move(tmp, full, overwrite: true);
    }
}
