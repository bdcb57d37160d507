using static Ulast.Cli.OptionSpec;
using System.Globalization;
using System.Text;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.PseudoLabels;

namespace Ulast.Cli.Commands;

/// <summary>
/// ulast pseudo-label [--input DIR|FILE] [--out labels.json] [--fresh]
/// ulast pseudo-label --quality [--data DIR] [--out DIR] [--refine MODEL]   (labels annotated sequences as if unlabelled and scores them)
/// ulast pseudo-label --refine MODEL [--labels IN.json] [--out OUT.json]   (the second round: see <see cref="RefineLabels"/>)
/// </summary>
public static class PseudoLabelCommand
{
    public static readonly OptionSpec Input = Text("--input", "folder of videos and frame folders, or one video [default: ../shared/data/unlabeled]");
    public static readonly OptionSpec Out = Text("--out", "labels file (with --quality: a report folder) [default: out/labels.json]");
    public static readonly OptionSpec Fresh = Flag("--fresh", "start again instead of resuming the labels file");
    public static readonly OptionSpec Step = Int("--step", "label every N-th frame pair [default: 2]", 1, 100);
    public static readonly OptionSpec Jobs = Int("--jobs", "videos labelled at once, in the motion round and (on the CPU) the second round [default: 2, at most the cores]", 1, 256);
    public static readonly OptionSpec Config = Text("--config", "labeller settings (JSON; snake_case keys of PseudoLabelConfig, missing ones at their defaults) [default: none, every setting at its default]");
    public static readonly OptionSpec QualityOnly = Flag("--quality", "label the annotated sequences as if unlabelled and score the labels");
    public static readonly OptionSpec Data = Text("--data", "with --quality: the annotated sequences [default: ../shared/data/annotated]");
    public static readonly OptionSpec Refine = Text("--refine", "[ours] second round: extend the reliable frames by tracking with this model forward and back (with --quality: score both rounds) [default: none, the motion round only]");
    public static readonly OptionSpec Labels = Text("--labels", "with --refine: the motion labels to refine [default: out/labels.json]; --out then defaults to out/labels-refined.json");
    public static readonly OptionSpec Preset = TrackerOptions.Preset("with --refine: the tracker", "siamese");

    /// <summary>This command's own options (the shared ones are added where the command is built).</summary>
    public static readonly OptionSpec[] Specs = { Input, Out, Fresh, Step, Jobs, Config, QualityOnly, Data, Refine, Labels, Preset };

    public static int Run(Options o)
    {
        bool quality = o.Flag(QualityOnly);
        var refine = o.String(Refine);
        if (refine is not null && !quality) return RefineLabels.Run(o, refine);
        bool fresh = o.Flag(Fresh);
        var cfgPath = o.String(Config);
        var baseCfg = cfgPath is null ? new PseudoLabelConfig() : PseudoLabelConfig.Read(cfgPath);
        var cfg = baseCfg with { Step = o.Int(Step, baseCfg.Step, 1) };
        if (quality)
        {
            var data = o.String(Data) ?? Path.Combine("..", "shared", "data", "annotated");
            var outDir = o.String(Out) ?? Path.Combine("out", "pseudo-quality");
            if (refine is null) { o.EnsureAllUsed(); OutputCheck.Folder(outDir, Out.Name); return Quality(data, outDir, cfg, null); }
            var settings = RefineLabels.Settings(o);
            using var dev = o.CreateDevice();
            using var model = Checkpoint.LoadModel(refine, dev);
            var tracker = RefineLabels.Tracker(o);
            o.EnsureAllUsed();
            OutputCheck.Folder(outDir, Out.Name);
            Console.WriteLine($"second round with {refine} (agreement IoU ≥ {settings.AgreeIou}, chunks of {settings.Chunk}, up to {settings.MaxExtend} frames a side, seeds of {settings.MinSeed}+ frames)");
            return Quality(data, outDir, cfg, (seq, v) =>
            {
                var frames = RefineLabels.ReadFrames(seq, v.Frames) ?? throw new BadDataException($"'{seq.Path}': frames read differ from the labels' {v.Frames}.");
                try { return LabelRefiner.Refine(v, frames, model, tracker, settings, cfg).labels; }
                finally { foreach (var m in frames) m.Dispose(); }
            });
        }
        var input = o.String(Input) ?? Path.Combine("..", "shared", "data", "unlabeled");
        var outPath = o.String(Out) ?? Path.Combine("out", "labels.json");
        int jobs = Math.Min(o.Int(Jobs, 2, 1), Environment.ProcessorCount);
        o.EnsureAllUsed();
        OutputCheck.File(outPath, Out.Name);
        var sources = Sources(input);
        if (sources.Count == 0) throw new ArgumentException($"No video or frame folder under '{input}'.");
        var labels = !fresh && File.Exists(outPath) ? LabelsFile.Read(outPath) : new LabelsFile { Config = cfg };
        // Resuming must not mix two settings in one file.
        if (System.Text.Json.JsonSerializer.Serialize(labels.Config, LabelsFile.Json) != System.Text.Json.JsonSerializer.Serialize(cfg, LabelsFile.Json))
            throw new ArgumentException($"'{outPath}' was labelled with other settings (--step {labels.Config.Step}); resume with the same settings, or start again with --fresh.");
        Console.WriteLine($"{sources.Count} videos; labels → {outPath}{(labels.Videos.Count + labels.Failed.Count > 0 ? $" (resuming: {labels.Videos.Count + labels.Failed.Count} done)" : "")}");
        // Farnebäck and decoding keep about 1.3 of the cores busy: two videos at once use the rest. Each video is
        // labelled on its own, so the labels do not depend on the number of jobs (BoxSnapper seeds its RNG).
        var todo = sources.Where(s => !labels.Videos.ContainsKey(s.name) && !labels.Failed.ContainsKey(s.name)).ToList();
        foreach (var (name, _) in sources.Except(todo)) ProgressBar.WriteLine($"{name}: already labelled, skipped");
        var gate = new object();
        ProgressBar.Live(() => Parallel.ForEach(todo, new ParallelOptions { MaxDegreeOfParallelism = jobs }, source =>
        {
            var (name, path) = source;
            try
            {
                var seq = SequenceLoader.Load(path);
                ProgressBar? inner = null;
                var v = PseudoLabeller.Label(seq, cfg, (done, total) => { inner ??= new ProgressBar(name, total); inner.Report(done, cfg.Step == 1 ? "frames" : $"frames (every {Ordinal(cfg.Step)} labelled)"); });
                lock (gate) labels.Videos[name] = v;
                ProgressBar.WriteLine($"{name}: {v.Frames} frames, quality {v.VideoQuality:0.00}, {v.Segments.Length} reliable segments ({v.ReliableFrames} frames){(v.Dropped ? ", DROPPED: " + v.Reason : "")}");
            }
            catch (Exception e) when (e is BadDataException or IOException or OpenCvSharp.OpenCVException)
            {
                lock (gate) labels.Failed[name] = e.Message;
                ProgressBar.WriteLine($"{name}: unreadable, skipped: {e.Message}");
            }
            lock (gate) labels.Write(outPath);
        }));
        // Videos in the order of their names, whatever order the jobs finished in.
        var byName = labels.Videos.OrderBy(v => v.Key, StringComparer.Ordinal).ToList();
        labels.Videos.Clear();
        foreach (var (k, v) in byName) labels.Videos[k] = v;
        var montage = WriteWithMontage(labels, sources, outPath, (shown, usable, reliable) => $"Pseudo labels of {shown} videos ({usable} usable, {reliable} reliable frames in them)");
        Console.WriteLine($"wrote {outPath}{(montage is null ? "" : $" and {montage} (thick red: reliable pseudo boxes)")}: {labels.Videos.Count(v => !v.Value.Dropped)} usable videos, {labels.Videos.Count(v => v.Value.Dropped)} dropped, {labels.Failed.Count} unreadable");
        return 0;
    }

    /// <summary>Video files and frame folders directly under a folder (or the one given).</summary>
    public static List<(string name, string path)> Sources(string input)
    {
        if (File.Exists(input)) return new() { (Path.GetFileNameWithoutExtension(input), input) };
        if (!Directory.Exists(input)) throw new DirectoryNotFoundException($"'{input}' does not exist.");
        var list = Directory.GetFiles(input).Where(SequenceLoader.IsVideo).Select(f => (Path.GetFileNameWithoutExtension(f), f))
            .Concat(Directory.GetDirectories(input).Select(d => (new DirectoryInfo(d).Name, d)))
            .OrderBy(s => s.Item1, StringComparer.Ordinal).ToList();
        return list;
    }

    /// <summary>Labels every annotated sequence as if unlabelled and scores it; with a second round, scores both rounds.</summary>
    /// <summary>
    /// Writes the labels, and beside them (.jpg) a montage of the videos found among <paramref name="sources"/>, titled by
    /// <paramref name="title"/>(videos shown, usable videos, reliable frames in them); the montage's path, or null without one.
    /// </summary>
    public static string? WriteWithMontage(LabelsFile labels, IReadOnlyList<(string name, string path)> sources, string outPath, Func<int, int, int, string> title)
    {
        labels.Write(outPath);
        var montage = Path.ChangeExtension(outPath, ".jpg");
        var shown = labels.Videos.Where(v => v.Value.Frames > 0 && sources.Any(s => s.name == v.Key)).OrderBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => (SequenceLoader.Load(sources.First(s => s.name == v.Key).path), v.Value)).ToList();
        if (shown.Count == 0) return null;
        var usable = labels.Videos.Values.Where(v => !v.Dropped).ToList();
        LabelMontage.Write(montage, title(shown.Count, usable.Count, usable.Sum(v => v.ReliableFrames)), shown);
        return montage;
    }

    private static int Quality(string data, string outDir, PseudoLabelConfig cfg, Func<Sequence, VideoLabels, VideoLabels>? refine)
    {
        var seqs = SequenceLoader.LoadAll(data).Where(s => s.HasGroundTruth).ToList();
        var rows = new List<PseudoQuality>();
        var firstRound = new List<PseudoQuality>();
        var items = new List<(Sequence, VideoLabels)>();
        var file = new LabelsFile { Config = cfg };
        ProgressBar.Live(() =>
        {
            foreach (var seq in seqs)
            {
                ProgressBar? bar = null;
                var seen = new List<(int, IReadOnlyList<Candidate>)>();
                var v = PseudoLabeller.Label(seq, cfg, (d, t) => { bar ??= new ProgressBar(seq.Name, t); bar.Report(d, cfg.Step == 1 ? "frames" : $"frames (every {Ordinal(cfg.Step)} labelled)"); }, (f, c) => seen.Add((f, c)));
                if (refine is not null)
                {
                    firstRound.Add(PseudoQuality.Measure(seq.Name, v, seq.GroundTruth, seen));
                    v = refine(seq, v);
                }
                file.Videos[seq.Name] = v;
                rows.Add(PseudoQuality.Measure(seq.Name, v, seq.GroundTruth, seen));
                items.Add((seq, v));
            }
        });
        file.Write(Path.Combine(outDir, "labels.json"));
        if (refine is not null)
        {
            Report(firstRound, Path.Combine(outDir, "quality-first-round.csv"), "first round (motion alone)");
            Report(rows, Path.Combine(outDir, "quality.csv"), "after the second round (tracked forward and back)");
        }
        else Report(rows, Path.Combine(outDir, "quality.csv"), null);
        LabelMontage.Write(Path.Combine(outDir, "montage.png"), $"Pseudo labels of {items.Count} annotated sequences, labelled as if unlabelled{(refine is null ? "" : ", second round")}", items);
        Console.WriteLine($"wrote {outDir}/quality.csv{(refine is null ? "" : ", quality-first-round.csv")}, montage.png, labels.json");
        return 0;
    }

    /// <summary>The per-sequence and pooled table, printed and written as CSV; the oracle columns: the best of each labelled frame's candidates.</summary>
    private static void Report(List<PseudoQuality> rows, string csv, string? title)
    {
        var sb = new StringBuilder("sequence,frames,mean_iou,reliable_mean_iou,reliable_iou_above_0.5,coverage,reliable_frames,oracle_iou,oracle_above_0.5\n");
        string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);
        // A sequence without a reliable frame has no reliable IoU at all — an empty cell (a "—" in the table), not 0,
        // which would read as every reliable box missing the target. Likewise the oracle without a labelled candidate.
        string FR(PseudoQuality r, double v) => r.ReliableFrames == 0 ? "" : F(v);
        string FO(PseudoQuality r, double v) => r.OracleFrames == 0 ? "" : F(v);
        foreach (var r in rows) sb.AppendLine($"{r.Sequence},{r.Frames},{F(r.MeanIou)},{FR(r, r.ReliableMeanIou)},{FR(r, r.ReliableAbove05)},{F(r.Coverage)},{r.ReliableFrames},{FO(r, r.OracleIou)},{FO(r, r.OracleAbove05)}");
        int reliableTotal = rows.Sum(r => r.ReliableFrames);
        double pooled = reliableTotal == 0 ? 0 : rows.Sum(r => r.ReliableMeanIou * r.ReliableFrames) / reliableTotal;
        double pooledAbove = reliableTotal == 0 ? 0 : rows.Sum(r => r.ReliableAbove05 * r.ReliableFrames) / reliableTotal;
        var measured = rows.Where(r => r.OracleFrames > 0).ToList();
        int oracleTotal = measured.Sum(r => r.OracleFrames);
        double oracle = oracleTotal == 0 ? double.NaN : measured.Sum(r => r.OracleIou * r.OracleFrames) / oracleTotal;
        double oracleAbove = oracleTotal == 0 ? double.NaN : measured.Sum(r => r.OracleAbove05 * r.OracleFrames) / oracleTotal;
        sb.AppendLine($"ALL,{rows.Sum(r => r.Frames)},{F(rows.Average(r => r.MeanIou))},{(reliableTotal == 0 ? "" : F(pooled))},{(reliableTotal == 0 ? "" : F(pooledAbove))},{F(reliableTotal / (double)rows.Sum(r => r.Frames))},{reliableTotal},{(oracleTotal == 0 ? "" : F(oracle))},{(oracleTotal == 0 ? "" : F(oracleAbove))}");
        AtomicFile.WriteAllText(csv, sb.ToString());
        if (title is not null) Console.WriteLine(title + ":");
        Console.WriteLine($"{"sequence",-14} {"frames",6} {"mean IoU",9} {"rel. IoU",9} {"rel>0.5",8} {"coverage",9} {"oracle",7} {"orc>0.5",8}");
        string T(bool none, double v, int width) => (none ? "—" : v.ToString("F3", CultureInfo.InvariantCulture)).PadLeft(width);
        foreach (var r in rows)
            Console.WriteLine($"{r.Sequence,-14} {r.Frames,6} {r.MeanIou,9:F3} {T(r.ReliableFrames == 0, r.ReliableMeanIou, 9)} {T(r.ReliableFrames == 0, r.ReliableAbove05, 8)} {r.Coverage,9:F3} {T(r.OracleFrames == 0, r.OracleIou, 7)} {T(r.OracleFrames == 0, r.OracleAbove05, 8)}");
        Console.WriteLine($"{"ALL (pooled)",-14} {rows.Sum(r => r.Frames),6} {rows.Average(r => r.MeanIou),9:F3} {T(reliableTotal == 0, pooled, 9)} {T(reliableTotal == 0, pooledAbove, 8)} {reliableTotal / (double)rows.Sum(r => r.Frames),9:F3} {T(oracleTotal == 0, oracle, 7)} {T(oracleTotal == 0, oracleAbove, 8)}");
        if (rows.Any(r => r.ReliableFrames == 0)) Console.WriteLine("—: no reliable frame (the labeller kept none there), not an IoU of 0; mean IoU counts every frame, unlabelled ones as 0.");
    }

    /// <summary>2 → "2nd", 3 → "3rd", 11 → "11th".</summary>
    private static string Ordinal(int n) => n + ((n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });
}
