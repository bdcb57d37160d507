namespace Ulast.Tracker.Evaluation;

/// <summary>
/// Percentile bootstrap over sequences: the sequences are resampled with replacement and the mean recomputed, so an
/// interval says how much a figure averaged over this few sequences would move on another draw of them. The seed is
/// fixed, so a report's intervals are reproducible.
/// </summary>
public static class Bootstrap
{
    public const double Level = 0.9;
    public const int Resamples = 10_000;

    /// <summary>The 90% interval of the mean of <paramref name="values"/> (one per sequence).</summary>
    public static (double Low, double High) MeanInterval(IReadOnlyList<double> values, int seed = 1)
    {
        if (values.Count == 0) return (double.NaN, double.NaN);
        var rng = new Random(seed);
        var means = new double[Resamples];
        for (int b = 0; b < Resamples; b++)
        {
            double s = 0;
            for (int i = 0; i < values.Count; i++) s += values[rng.Next(values.Count)];
            means[b] = s / values.Count;
        }
        Array.Sort(means);
        double tail = (1 - Level) / 2;
        return (means[(int)Math.Floor(tail * (Resamples - 1))], means[(int)Math.Ceiling((1 - tail) * (Resamples - 1))]);
    }

    /// <summary>The 90% interval of the mean per-sequence difference a − b, sequences paired by name (those both have).</summary>
    public static (double Mean, double Low, double High) PairedDifference(IReadOnlyList<SequenceResult> a, IReadOnlyList<SequenceResult> b, Func<SequenceResult, double> metric)
    {
        var byName = b.GroupBy(r => r.Sequence).ToDictionary(g => g.Key, g => g.First());
        var d = a.Where(r => byName.ContainsKey(r.Sequence)).Select(r => metric(r) - metric(byName[r.Sequence])).ToList();
        if (d.Count == 0) return (double.NaN, double.NaN, double.NaN);
        var (lo, hi) = MeanInterval(d);
        return (d.Average(), lo, hi);
    }
}
