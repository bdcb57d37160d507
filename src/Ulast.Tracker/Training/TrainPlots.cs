using Ulast.Tracker.Evaluation;

namespace Ulast.Tracker.Training;

/// <summary>The run folder's loss.png (moving averages of the loss terms) and val.png (validation AUC and precision), redrawn as training goes.</summary>
public static class TrainPlots
{
    public static void Loss(string dir)
    {
        var (header, rows) = TrainLog.Read(Path.Combine(dir, "train.csv"));
        if (rows.Length < 2) return;
        int Col(string name) => Array.IndexOf(header, name);
        var xs = rows.Select(r => r[0]).ToArray();
        var series = new[] { "loss", "naive_cls", "naive_reg", "cycle_cls", "cycle_reg" }
            .Select(name => (label: name, ys: Smooth(rows.Select(r => r[Col(name)]).ToArray(), 25)))
            .Where(s => s.ys.Any(double.IsFinite)).ToList();
        // The whole curve, its first steps included (they are the highest, and where a run's start shows).
        double yMax = Math.Max(0.1, series.SelectMany(s => s.ys).Where(double.IsFinite).DefaultIfEmpty(1).Max() * 1.05);
        Plot.Curves(Path.Combine(dir, "loss.png"), "Training loss (moving average of 25 steps)", "step", "loss", xs, series, Math.Max(1, xs[^1]), yMax);
    }

    public static void Validation(string dir)
    {
        var (_, rows) = TrainLog.Read(Path.Combine(dir, "val.csv"));
        if (rows.Length == 0) return;
        var xs = rows.Select(r => r[0]).ToArray();
        Plot.Curves(Path.Combine(dir, "val.png"), "Validation on the dev sequences", "step", "score", xs,
            new[] { ("AUC", rows.Select(r => r[1]).ToArray()), ("precision@20", rows.Select(r => r[2]).ToArray()) }, Math.Max(1, xs[^1]));
    }

    /// <summary>Trailing moving average over finite values (NaN where a window has none).</summary>
    public static double[] Smooth(double[] v, int window)
    {
        var r = new double[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            var w = v.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Where(double.IsFinite).ToList();
            r[i] = w.Count > 0 ? w.Average() : double.NaN;
        }
        return r;
    }
}
