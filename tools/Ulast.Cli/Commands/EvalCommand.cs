using Ulast.Tracker;

namespace Ulast.Cli.Commands;

/// <summary>
/// ulast eval --data FOLDER [--sequences a,b] [--trackers ulast,ulast-dcf,ulast-online,kcf,csrt,mil] [--online] [--tre N] [--out DIR] [model options]:
/// one-pass evaluation of our tracker and OpenCV's in the same run; JSON, CSV, success and precision plots; with --tre N also
/// the temporal robustness evaluation from N start frames per sequence (tre-report.*).
/// `ulast-online` is the shipped (or --checkpoint) model as ULAST-on; --online adds NAME-online for every model.
/// `ulast-dcf` [ours] adds the discriminative filter (<see cref="FilterConfig"/>); --filter adds NAME-dcf for every model.
/// </summary>
public static class EvalCommand
{
    public static int Run(Options o)
    {
        var data = o.String("--data") ?? Path.Combine("..", "shared", "data", "annotated");
        var only = o.String("--sequences")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var trackers = (o.String("--trackers") ?? "ulast,ulast-dcf,kcf,csrt,mil").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var outDir = o.String("--out") ?? Path.Combine("out", "eval");
        // --models a=FILE,b=FILE: more trained models side by side, each a tracker of its own name.
        var extra = (o.String("--models") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(m => m.Split('=', 2) is [var n, var f] && n.Length > 0 && f.Length > 0 ? (name: n, file: f) : throw new ArgumentException($"--models expects NAME=FILE pairs, got '{m}'.")).ToList();
        if (trackers.Length == 0 && extra.Count == 0)
            throw new ArgumentException("--trackers is empty: name at least one (ulast, ulast-dcf, kcf, csrt, mil, …), give --models, or leave --trackers out for the default.");
        bool online = o.Flag("--online"), filter = o.Flag("--filter"), lost = o.Flag("--lost");
        int tre = o.Int("--tre", 0, 2);
        foreach (var t in trackers)
            if ((t.EndsWith("-lt") ? t[..^3] : t) is not ("ulast" or "ulast-online" or "ulast-dcf" or "ulast-online-dcf") && !OpenCvVisualTracker.Names.Contains(t))
                throw new ArgumentException($"Unknown tracker '{t}': expected ulast, ulast-online, ulast-dcf, ulast-online-dcf (each also with -lt), {string.Join(", ", OpenCvVisualTracker.Names)}.");
        foreach (var (n, f) in extra)
        {
            if (trackers.Contains(n) || OpenCvVisualTracker.Names.Contains(n) || n.StartsWith("ulast") || n.EndsWith("-online") || n.EndsWith("-dcf") || n.EndsWith("-lt")) throw new ArgumentException($"--models: the name '{n}' is taken (ulast…, kcf, csrt, mil, …-online, …-dcf and …-lt are reserved).");
            if (!File.Exists(f)) throw new FileNotFoundException($"--models: '{f}' does not exist.");
        }
        if (online && trackers.Contains("ulast") && !trackers.Contains("ulast-online")) trackers = trackers.Append("ulast-online").ToArray();
        if (filter && trackers.Contains("ulast") && !trackers.Contains("ulast-dcf")) trackers = trackers.Append("ulast-dcf").ToArray();
        var ours = trackers.Where(t => t.StartsWith("ulast")).ToList();
        foreach (var (n, _) in extra) { ours.Add(n); if (online) ours.Add(n + "-online"); if (filter) ours.Add(n + "-dcf"); }
        if (lost) ours = ours.SelectMany(t => t.EndsWith("-lt") ? new[] { t } : new[] { t, t + "-lt" }).Distinct().ToList();
        using var dev = o.CreateTrackingDevice();
        using var model = trackers.Any(t => t.StartsWith("ulast")) ? ModelSource.Load(o, dev, Console.Out) : null;
        var trackerConfig = ModelSource.Tracker(o);
        // DSST's scale filter [ours]: by default in the -dcf rows (the tracker `ulast track` runs), not in the others.
        ScaleConfig? scaleWithFilter = ModelSource.Scale(o, withFilter: true), scaleAlone = ModelSource.Scale(o, withFilter: false);
        var onlineConfig = ModelSource.Online(o);
        var filterConfig = ModelSource.Filter(o);
        // Every Ulast row reports its states (so that "lost" is scored for it too); -lt rows also act on them.
        LostConfig lostHandled = ModelSource.Lost(o, handle: true), lostReported = ModelSource.Lost(o, handle: false);
        o.EnsureAllUsed();
        OutputCheck.Folder(outDir, "--out");
        var models = extra.ToDictionary(e => e.name, e => Checkpoint.LoadModel(e.file, dev));
        trackers = ours.Concat(trackers.Where(t => !t.StartsWith("ulast"))).ToArray();
        if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"Data folder '{data}' does not exist.");
        var seqs = SequenceLoader.LoadAll(data, only).Where(s => s.HasGroundTruth).ToList();
        if (seqs.Count == 0) throw new ArgumentException($"No sequence with ground truth under '{data}'.");
        foreach (var w in seqs.SelectMany(s => s.Warnings)) Console.Error.WriteLine("warning: " + w);
        Console.WriteLine($"device: {dev.Name}; {seqs.Count} sequences, {seqs.Sum(s => s.EvalFrameCount)} frames; trackers {string.Join(", ", trackers)}");
        var all = new Dictionary<string, IReadOnlyList<SequenceResult>>();
        var allTre = new Dictionary<string, IReadOnlyList<SequenceResult>>();
        foreach (var name in trackers) { all[name] = new List<SequenceResult>(); allTre[name] = new List<SequenceResult>(); }
        ProgressBar.Live(() =>
        {
            foreach (var seq in seqs)
            {
                // TRE decodes the sequence once and tracks it from every start; its first run is OPE itself.
                var starts = tre > 0 ? Evaluator.TreStarts(seq, tre) : null;
                var frames = starts is null ? null : seq.ReadFrames().Take(seq.EvalFrameCount).ToList();
                try
                {
                    foreach (var name in trackers)
                    {
                        SequenceResult r;
                        if (starts is null)
                        {
                            using IVisualTracker tracker = Create(name);
                            var bar = new ProgressBar($"{name}/{seq.Name}", seq.EvalFrameCount);
                            r = Evaluator.Run(tracker, seq, i => bar.Report(i));
                        }
                        else
                        {
                            var bar = new ProgressBar($"{name}/{seq.Name} (TRE ×{starts.Count})", Evaluator.TreFrames(seq, starts));
                            (r, var pooled) = Evaluator.RunTre(() => Create(name), seq, frames!, starts, i => bar.Report(i));
                            ((List<SequenceResult>)allTre[name]).Add(pooled);
                        }
                        ((List<SequenceResult>)all[name]).Add(r);
                        AtomicFile.WriteAllText(Path.Combine(outDir, "boxes", name, seq.Name + ".txt"), TrackOutput.Format(r.Boxes, r.Scores!, r.States!, seq.OneBased));
                    }
                }
                finally { if (frames is not null) foreach (var f in frames) f.Dispose(); }
            }
        });
        var info = new Dictionary<string, string>
        {
            ["device"] = dev.Name,
            ["data"] = Path.GetFullPath(data),
            ["model"] = model is null ? "-" : model.Config.ToJson(),
            ["models"] = string.Join(", ", extra.Select(e => $"{e.name}={e.file}")),
            ["tracker"] = System.Text.Json.JsonSerializer.Serialize(trackerConfig),
            ["online"] = trackers.Any(t => t.Contains("-online")) ? System.Text.Json.JsonSerializer.Serialize(onlineConfig) : "-",
            ["filter"] = trackers.Any(t => t.Contains("-dcf")) ? System.Text.Json.JsonSerializer.Serialize(filterConfig) : "-",
            ["lost"] = trackers.Any(t => t.EndsWith("-lt")) ? System.Text.Json.JsonSerializer.Serialize(lostHandled) : "-",
            ["scale"] = $"-dcf rows: {(scaleWithFilter is null ? "regression" : System.Text.Json.JsonSerializer.Serialize(scaleWithFilter))}; other rows: {(scaleAlone is null ? "regression" : System.Text.Json.JsonSerializer.Serialize(scaleAlone))}",
            ["protocol"] = "OPE: first ground truth, never re-initialised; AUC over IoU thresholds 0:0.05:1; precision at 20 px; normalised precision AUC over 0:0.01:0.5",
        };
        WriteReports(outDir, "", "OPE", all, info, seqs.Count);
        Console.WriteLine(Report.Table(all));
        if (tre > 0)
        {
            var treInfo = new Dictionary<string, string>(info)
            {
                ["protocol"] = $"TRE: each sequence tracked from up to {tre} start frames (the first valid ground truth at or after k·n/{tre}), each run to the end, never re-initialised; the runs' frames pooled per sequence, then averaged over sequences; thresholds as OPE",
            };
            WriteReports(outDir, "tre-", "TRE", allTre, treInfo, seqs.Count);
            Console.WriteLine($"TRE, {tre} starts per sequence:");
            Console.WriteLine(Report.Table(allTre));
        }
        foreach (var m in models.Values) m.Dispose();
        Console.WriteLine($"wrote {outDir}/report.json, report.csv, success.png, precision.png, boxes/" + (tre > 0 ? ", and tre-report.json, tre-report.csv, tre-success.png, tre-precision.png" : ""));
        return 0;

        static void WriteReports(string outDir, string prefix, string protocol, Dictionary<string, IReadOnlyList<SequenceResult>> all, Dictionary<string, string> info, int sequences)
        {
            AtomicFile.WriteAllText(Path.Combine(outDir, prefix + "report.json"), Report.Json(all, info));
            AtomicFile.WriteAllText(Path.Combine(outDir, prefix + "report.csv"), Report.Csv(all));
            var summaries = all.Select(kv => Report.Summarise(kv.Key, kv.Value)).ToList();
            Plot.Curves(Path.Combine(outDir, prefix + "success.png"), $"Success plot ({protocol}, {sequences} sequences)", "overlap threshold", "success rate",
                Metrics.SuccessThresholds, summaries.OrderByDescending(s => s.Auc).Select(s => ($"{s.Tracker} [{s.Auc:0.000}]", s.SuccessCurve)), 1.0);
            Plot.Curves(Path.Combine(outDir, prefix + "precision.png"), $"Precision plot ({protocol}, {sequences} sequences)", "location error threshold (px)", "precision",
                Metrics.PrecisionThresholds, summaries.OrderByDescending(s => s.Precision).Select(s => ($"{s.Tracker} [{s.Precision:0.000}]", s.PrecisionCurve)), 50);
        }

        IVisualTracker Create(string name)
        {
            string baseName = name;
            bool isLost = StripSuffix(ref baseName, "-lt"), isFilter = StripSuffix(ref baseName, "-dcf"), isOnline = StripSuffix(ref baseName, "-online");
            var m = baseName == "ulast" ? model! : models.GetValueOrDefault(baseName);
            return m is null ? new OpenCvVisualTracker(name)
                : new UlastVisualTracker(m, name, trackerConfig with { Scale = isFilter ? scaleWithFilter : scaleAlone }, isOnline ? onlineConfig : null, isFilter ? filterConfig : null,
                    isLost ? lostHandled : lostReported);
        }

        static bool StripSuffix(ref string s, string suffix)
        {
            if (!s.EndsWith(suffix)) return false;
            s = s[..^suffix.Length];
            return true;
        }
    }
}
