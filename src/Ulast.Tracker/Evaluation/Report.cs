using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ulast.Tracker.Evaluation;

/// <summary>A tracker's overall figures: sequence metrics averaged over sequences, FPS over all frames.</summary>
public sealed record TrackerSummary(string Tracker, double Auc, double Precision, double NormPrecision, double Fps, double[] SuccessCurve, double[] PrecisionCurve)
{
    /// <summary>The 90% bootstrap interval of <see cref="Auc"/> over sequences.</summary>
    public (double Low, double High) AucInterval { get; init; } = (double.NaN, double.NaN);
}

/// <summary>Writes the evaluation as JSON, CSV and success/precision plots.</summary>
public static class Report
{
    public static TrackerSummary Summarise(string tracker, IReadOnlyList<SequenceResult> results)
    {
        if (results.Count == 0) return new TrackerSummary(tracker, 0, 0, 0, 0, new double[21], new double[51]);
        double[] Mean(Func<SequenceResult, double[]> f) => Enumerable.Range(0, f(results[0]).Length).Select(i => results.Average(r => f(r)[i])).ToArray();
        double frames = results.Sum(r => (double)r.TrackedFrames);
        double seconds = results.Sum(r => r.Seconds);
        return new TrackerSummary(tracker, results.Average(r => r.Auc), results.Average(r => r.Precision), results.Average(r => r.NormPrecision),
            seconds > 0 ? frames / seconds : 0, Mean(r => r.SuccessCurve), Mean(r => r.PrecisionCurve))
        { AucInterval = Bootstrap.MeanInterval(results.Select(r => r.Auc).ToList()) };
    }

    /// <summary>The tracker every other is compared with in the intervals of differences, when it was evaluated.</summary>
    public const string Reference = "csrt";

    private static object? DifferenceFromReference(string name, IReadOnlyList<SequenceResult> results, IReadOnlyDictionary<string, IReadOnlyList<SequenceResult>> all)
    {
        if (name == Reference || !all.TryGetValue(Reference, out var reference)) return null;
        var (mean, lo, hi) = Bootstrap.PairedDifference(results, reference, r => r.Auc);
        return new { mean = R(mean), ci90 = new[] { R(lo), R(hi) } };
    }

    public static string Json(IReadOnlyDictionary<string, IReadOnlyList<SequenceResult>> all, IReadOnlyDictionary<string, string> info)
    {
        var doc = new Dictionary<string, object> { ["info"] = info };
        var trackers = new Dictionary<string, object>();
        foreach (var (name, results) in all)
        {
            var s = Summarise(name, results);
            trackers[name] = new
            {
                overall = new { auc = R(s.Auc), auc_ci90 = new[] { R(s.AucInterval.Low), R(s.AucInterval.High) },
                    auc_minus_csrt = DifferenceFromReference(name, results, all), precision = R(s.Precision), norm_precision = R(s.NormPrecision), fps = Math.Round(s.Fps, 1),
                    lost = LostJson(TotalLost(results)),
                    score_calibration = CalibrationJson(results.Aggregate(new ScoreCalibration(), (a, r) => a + r.Calibration)),
                    success_curve = s.SuccessCurve.Select(R), precision_curve = s.PrecisionCurve.Select(R) },
                sequences = results.ToDictionary(r => r.Sequence, r => (object)new { frames = r.Frames, auc = R(r.Auc), precision = R(r.Precision), norm_precision = R(r.NormPrecision), fps = Math.Round(r.Fps, 1), lost = LostJson(r.Lost) }),
            };
        }
        doc["trackers"] = trackers;
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>[ours] The lost counts of a tracker's sequences, summed.</summary>
    private static LostCounts TotalLost(IReadOnlyList<SequenceResult> results) => results.Aggregate(new LostCounts(), (a, r) => a + r.Lost);

    /// <summary>[ours] "lost" against frames where the target is absent or missed (IoU 0); null where nothing was counted.</summary>
    private static object LostJson(LostCounts c) => new
    {
        precision = double.IsNaN(c.Precision) ? (double?)null : R(c.Precision),
        recall = double.IsNaN(c.Recall) ? (double?)null : R(c.Recall),
        frames_called_lost = c.TruePositive + c.FalsePositive,
        frames_absent_or_missed = c.TruePositive + c.FalseNegative,
    };

    /// <summary>[ours] Per tenth of the score: frames, and the fraction of them with IoU &gt; 0.5.</summary>
    private static object CalibrationJson(ScoreCalibration c) => Enumerable.Range(0, ScoreCalibration.Bins).Select(b => new
    {
        score = FormattableString.Invariant($"{b / (double)ScoreCalibration.Bins:0.0}–{(b + 1) / (double)ScoreCalibration.Bins:0.0}"),
        frames = c.Frames[b],
        iou_above_half = c.Frames[b] == 0 ? (double?)null : R(c.Hits[b] / (double)c.Frames[b]),
    }).ToList();

    public static string Csv(IReadOnlyDictionary<string, IReadOnlyList<SequenceResult>> all)
    {
        var sb = new StringBuilder("tracker,sequence,frames,auc,precision,norm_precision,fps,auc_ci90_low,auc_ci90_high,lost_precision,lost_recall\n");
        string L(double v) => double.IsNaN(v) ? "" : F(v);
        foreach (var (name, results) in all)
        {
            foreach (var r in results) sb.AppendLine(string.Join(",", name, r.Sequence, r.Frames.ToString(CultureInfo.InvariantCulture), F(r.Auc), F(r.Precision), F(r.NormPrecision), F(r.Fps), "", "", L(r.Lost.Precision), L(r.Lost.Recall)));
            var s = Summarise(name, results);
            var lost = TotalLost(results);
            sb.AppendLine(string.Join(",", name, "OVERALL", results.Sum(r => r.Frames).ToString(CultureInfo.InvariantCulture), F(s.Auc), F(s.Precision), F(s.NormPrecision), F(s.Fps),
                F(s.AucInterval.Low), F(s.AucInterval.High), L(lost.Precision), L(lost.Recall)));
        }
        return sb.ToString();
    }

    public static string Table(IReadOnlyDictionary<string, IReadOnlyList<SequenceResult>> all)
    {
        var sb = new StringBuilder();
        var seqs = all.Values.First().Select(r => r.Sequence).ToList();
        sb.AppendLine($"{"sequence",-14}" + string.Concat(all.Keys.Select(k => $" | {k + " AUC/Pr/NPr/FPS",-30}")));
        foreach (var s in seqs)
            sb.AppendLine($"{s,-14}" + string.Concat(all.Values.Select(rs => rs.First(r => r.Sequence == s)).Select(r => $" | {FormattableString.Invariant($"{r.Auc:0.000}/{r.Precision:0.000}/{r.NormPrecision:0.000}/{r.Fps:0.0}"),-30}")));
        var summaries = all.Select(kv => Summarise(kv.Key, kv.Value)).ToList();
        sb.AppendLine($"{"OVERALL",-14}" + string.Concat(summaries.Select(o => $" | {FormattableString.Invariant($"{o.Auc:0.000}/{o.Precision:0.000}/{o.NormPrecision:0.000}/{o.Fps:0.0}"),-30}")));
        sb.AppendLine($"{"AUC 90% CI",-14}" + string.Concat(summaries.Select(o => $" | {FormattableString.Invariant($"[{o.AucInterval.Low:0.000}, {o.AucInterval.High:0.000}]"),-30}")));
        var lostRow = all.Values.Select(TotalLost).ToList();
        if (lostRow.Any(c => c.TruePositive + c.FalsePositive > 0))
            sb.AppendLine($"{"lost P/R",-14}" + string.Concat(lostRow.Select(c => $" | {FormattableString.Invariant($"{c.Precision:0.000}/{c.Recall:0.000} ({c.TruePositive + c.FalsePositive} frames)"),-30}")));
        if (all.TryGetValue(Reference, out var reference))
            sb.AppendLine($"{"AUC − " + Reference,-14}" + string.Concat(all.Select(kv =>
            {
                if (kv.Key == Reference) return $" | {"",-30}";
                var (m, lo, hi) = Bootstrap.PairedDifference(kv.Value, reference, r => r.Auc);
                return $" | {FormattableString.Invariant($"{m:+0.000;-0.000} [{lo:+0.000;-0.000}, {hi:+0.000;-0.000}]"),-30}";
            })));
        return sb.ToString();
    }

    private static double R(double v) => Math.Round(v, 4);
    private static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
