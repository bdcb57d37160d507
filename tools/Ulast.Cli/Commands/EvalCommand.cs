using static Ulast.Cli.OptionSpec;
using Ulast.Tracker.Data;
using Ulast.Tracker.Evaluation;
using Ulast.Tracker.IO;
using Ulast.Tracker.Tracking;

namespace Ulast.Cli.Commands;

/// <summary>
/// ulast eval --data FOLDER [--sequences a,b] [--trackers ulast,ulast-dcf,ulast-online,kcf,csrt,mil] [--online] [--tre N] [--out DIR] [model options]:
/// one-pass evaluation of our tracker and OpenCV's in the same run; JSON, CSV, success and precision plots; with --tre N also
/// the temporal robustness evaluation from N start frames per sequence (tre-report.*).
/// A row of ours is a model and a preset (<see cref="TrackerPresets"/>): `ulast` the default model's Siamese tracker,
/// `ulast-dcf` its shipped one; --filter and --online add those presets' rows for every model, --lost an -lt row for each.
/// </summary>
public static class EvalCommand
{
    public static readonly OptionSpec Data = Text("--data", "folder of annotated sequences [default: ../shared/data/annotated]");
    public static readonly OptionSpec Sequences = Text("--sequences", "only these sequences, comma-separated [default: all under --data]");
    public static readonly OptionSpec Trackers = Text("--trackers", $"comma-separated: ulast and a preset's suffix ({string.Join(", ", Ulast.Tracker.Tracking.TrackerPresets.All.Select(p => $"ulast{p.Suffix}: {p.Name}"))}; each also with -lt: lost-target handling [ours]), kcf, csrt, mil [default: ulast,ulast-dcf,kcf,csrt,mil]");
    public static readonly OptionSpec Models = Text("--models", "more checkpoints to evaluate: NAME=FILE,... [default: none]");
    public static readonly OptionSpec Online = Flag("--online", "also evaluate every model with ULAST-on (NAME-online)");
    public static readonly OptionSpec Filter = Flag("--filter", "[ours] also evaluate every model with the discriminative filter (NAME-dcf)");
    public static readonly OptionSpec Lost = Flag("--lost", "[ours] also evaluate every Ulast tracker with lost-target handling (NAME-lt)");
    public static readonly OptionSpec Tre = Int("--tre", "[ours] also OTB's temporal robustness evaluation from N start frames per sequence (tre-report.*; OTB uses 20) [default: off]", 2, 20);
    public static readonly OptionSpec Out = Text("--out", "report folder [default: out/eval]");

    /// <summary>This command's own options (the shared ones are added where the command is built).</summary>
    public static readonly OptionSpec[] Specs = { Data, Sequences, Trackers, Models, Online, Filter, Lost, Tre, Out };

    public static int Run(Options o)
    {
        var data = o.String(Data) ?? Path.Combine("..", "shared", "data", "annotated");
        var only = o.String(Sequences)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var trackers = (o.String(Trackers) ?? "ulast,ulast-dcf,kcf,csrt,mil").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var outDir = o.String(Out) ?? Path.Combine("out", "eval");
        // --models a=FILE,b=FILE: more trained models side by side, each a tracker of its own name.
        var extra = (o.String(Models) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(m => m.Split('=', 2) is [var n, var f] && n.Length > 0 && f.Length > 0 ? (name: n, file: f) : throw new ArgumentException($"--models expects NAME=FILE pairs, got '{m}'.")).ToList();
        if (trackers.Length == 0 && extra.Count == 0)
            throw new ArgumentException("--trackers is empty: name at least one (ulast, ulast-dcf, kcf, csrt, mil, …), give --models, or leave --trackers out for the default.");
        bool online = o.Flag(Online), filter = o.Flag(Filter), lost = o.Flag(Lost);
        int tre = o.Int(Tre, 0, 2);
        // A row of ours is MODEL + a preset's suffix (+ -lt): "ulast" is the default model, --models names the others.
        bool IsModel(string m) => m == "ulast" || extra.Any(e => e.name == m);
        foreach (var t in trackers)
            if (TrackerPresets.ParseRow(t, m => m == "ulast") is null && !OpenCvVisualTracker.Names.Contains(t))
                throw new ArgumentException($"Unknown tracker '{t}': expected {string.Join(", ", TrackerPresets.All.Select(p => "ulast" + p.Suffix))} (each also with {TrackerPresets.LostSuffix}), {string.Join(", ", OpenCvVisualTracker.Names)}.");
        foreach (var (n, f) in extra)
        {
            if (trackers.Contains(n) || OpenCvVisualTracker.Names.Contains(n) || n.StartsWith("ulast") || TrackerPresets.All.Any(p => p.Suffix.Length > 0 && n.EndsWith(p.Suffix)) || n.EndsWith(TrackerPresets.LostSuffix))
                throw new ArgumentException($"--models: the name '{n}' is taken (ulast…, kcf, csrt, mil and names ending in a preset's suffix or {TrackerPresets.LostSuffix} are reserved).");
            if (!File.Exists(f)) throw new FileNotFoundException($"--models: '{f}' does not exist.");
        }
        // --online and --filter add those presets' rows for every model; --lost a lost-handling row for every row of ours.
        var added = new[] { online ? TrackerPresets.Get("online").Suffix : null, filter ? TrackerPresets.Get("shipped").Suffix : null }.OfType<string>().ToList();
        if (trackers.Contains("ulast")) trackers = trackers.Concat(added.Select(a => "ulast" + a).Where(t => !trackers.Contains(t))).ToArray();
        var ours = trackers.Where(t => t.StartsWith("ulast")).ToList();
        foreach (var (n, _) in extra) { ours.Add(n); ours.AddRange(added.Select(a => n + a)); }
        if (lost) ours = ours.SelectMany(t => t.EndsWith(TrackerPresets.LostSuffix) ? new[] { t } : new[] { t, t + TrackerPresets.LostSuffix }).Distinct().ToList();
        using var dev = o.CreateTrackingDevice();
        using var model = trackers.Any(t => t.StartsWith("ulast")) ? ModelSource.Load(o, dev, Console.Out) : null;
        // Each row's settings: its preset's, with lost-target handling for -lt rows, and the tracker options given.
        // Every Ulast row reports its states (so that "lost" is scored for it too). Checked here, before anything runs.
        var rows = new Dictionary<string, (string Model, TrackerSettings Settings)>();
        foreach (var t in ours)
        {
            var (rowModel, preset, handlesLost) = TrackerPresets.ParseRow(t, IsModel)!.Value;
            rows[t] = (rowModel, o.Tracker(handlesLost ? TrackerPresets.WithLostHandling(preset.Settings) : preset.Settings));
        }
        if (ours.Count == 0) o.Tracker(TrackerPresets.Get("siamese").Settings);
        o.EnsureAllUsed();
        OutputCheck.Folder(outDir, Out.Name);
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
            ["trackers"] = System.Text.Json.JsonSerializer.Serialize(rows.ToDictionary(r => r.Key, r => r.Value.Settings)),
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

        IVisualTracker Create(string name) =>
            !rows.TryGetValue(name, out var row) ? new OpenCvVisualTracker(name)
            : new UlastVisualTracker(row.Model == "ulast" ? model! : models[row.Model], name, row.Settings);
    }
}
