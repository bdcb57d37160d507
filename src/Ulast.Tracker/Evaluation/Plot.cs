using Ulast.Tracker.IO;

namespace Ulast.Tracker.Evaluation;

/// <summary>Line plots with ScottPlot: one curve per series, a legend, a title and axis labels; written atomically as PNG.</summary>
public static class Plot
{
    public static void Curves(string path, string title, string xLabel, string yLabel, double[] xs,
        IEnumerable<(string label, double[] ys)> series, double xMax, double yMax = 1)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (label, ys) in series)
        {
            int n = Math.Min(xs.Length, ys.Length);
            // Gaps (NaN) split a curve rather than drop to zero.
            var line = plot.Add.ScatterLine(xs[..n], ys[..n].Select(y => double.IsFinite(y) ? y : double.NaN).ToArray());
            line.LegendText = label;
            line.LineWidth = 2;
            if (n <= 30) line.MarkerSize = 7;   // few points (validation every K steps): show where they are
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.SetLimits(0, xMax, 0, yMax);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        AtomicFile.Replace(path, tmp => plot.SavePng(tmp, 800, 600));
    }
}
