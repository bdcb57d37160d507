using System.Collections.Concurrent;
using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.PseudoLabels;
using Ulast.Tracker.Tracking;

namespace Ulast.Cli.Commands;

/// <summary>
/// ulast pseudo-label --refine MODEL [--labels IN.json] [--out OUT.json] [--input DIR] [--refine-agree 0.6] [--refine-chunk 10]
/// [--refine-extend 60] [--refine-min-seed 3] [--jobs 2]: the second labelling round [ours] (<see cref="LabelRefiner"/>), resumable.
/// </summary>
public static class RefineLabels
{
    /// <summary>The second round's tracker: a preset (--preset; `shipped` is the tracker of `ulast track`) with the tracker options given.</summary>
    public static TrackerSettings Tracker(Options o) => o.Tracker(TrackerPresets.Get(o.String(PseudoLabelCommand.Preset) ?? "siamese").Settings);

    private static readonly LabelRefineConfig Defaults = new();

    private static OptionSpec Sets(OptionSpec spec, Func<LabelRefineConfig, object> get, Func<LabelRefineConfig, object, LabelRefineConfig> set) =>
        (spec with { Help = $"{spec.Help} {OptionSpec.D(get(Defaults))}" }).Binds(set);

    /// <summary>The second round's settings, each option declared once with the <see cref="LabelRefineConfig"/> property it sets.</summary>
    public static readonly OptionSpec[] Specs =
    {
        Sets(OptionSpec.Number("--refine-agree", "with --refine: IoU the forward and backward tracks must reach on every frame of a chunk", 0, 1), c => c.AgreeIou, (c, v) => c with { AgreeIou = (float)v }),
        Sets(OptionSpec.Int("--refine-chunk", "with --refine: frames tracked before each check back", 1, 10_000), c => c.Chunk, (c, v) => c with { Chunk = (int)v }),
        Sets(OptionSpec.Int("--refine-extend", "with --refine: most frames added on each side of a seed", 1, 100_000), c => c.MaxExtend, (c, v) => c with { MaxExtend = (int)v }),
        Sets(OptionSpec.Int("--refine-min-seed", "with --refine: shortest run of reliable frames that seeds tracking", 1, 10_000), c => c.MinSeed, (c, v) => c with { MinSeed = (int)v }),
    };

    public static LabelRefineConfig Settings(Options o)
    {
        var c = o.Apply(new LabelRefineConfig());
        c.Check();
        return c;
    }

    /// <summary>A video's frames in memory (the refiner jumps back and forth), or null when their count is not the labels'.</summary>
    public static List<Mat>? ReadFrames(Sequence seq, int expected)
    {
        var frames = new List<Mat>(expected);
        foreach (var m in seq.ReadFrames()) frames.Add(m);
        if (frames.Count == expected) return frames;
        foreach (var m in frames) m.Dispose();
        return null;
    }

    public static int Run(Options o, string modelPath)
    {
        var input = o.String(PseudoLabelCommand.Input) ?? Path.Combine("..", "shared", "data", "unlabeled");
        var inPath = o.String(PseudoLabelCommand.Labels) ?? Path.Combine("out", "labels.json");
        var outPath = o.String(PseudoLabelCommand.Out) ?? Path.Combine(Path.GetDirectoryName(inPath) ?? ".", Path.GetFileNameWithoutExtension(inPath) + "-refined.json");
        var settings = Settings(o);
        using var dev = o.CreateTrackingDevice();
        using var model = Checkpoint.LoadModel(modelPath, dev);
        var tracker = Tracker(o);
        // Several videos at once on the CPU only: on a GPU the ops of one video already queue on one stream.
        int jobs = dev.IsCpu ? Math.Min(o.Int(PseudoLabelCommand.Jobs, 2, 1), Environment.ProcessorCount) : 1;
        o.EnsureAllUsed();
        OutputCheck.File(outPath, PseudoLabelCommand.Out.Name);
        if (Path.GetFullPath(outPath) == Path.GetFullPath(inPath)) throw new ArgumentException("--out must differ from --labels: the motion labels are kept.");
        var source = LabelsFile.Read(inPath);
        if (source.Refined is not null) throw new ArgumentException($"'{inPath}' is already refined (by {source.Refined.Model}); refine the motion labels instead.");
        var sources = PseudoLabelCommand.Sources(input);
        LabelsFile labels;
        if (File.Exists(outPath))
        {
            labels = LabelsFile.Read(outPath);
            if (labels.Refined is null || labels.Refined.Model != modelPath || labels.Refined.Settings != settings)
                throw new ArgumentException($"'{outPath}' exists and was not refined by '{modelPath}' with these settings: pick another --out or delete it.");
        }
        else
            labels = new LabelsFile { Config = source.Config, Videos = new(source.Videos), Failed = new(source.Failed), Refined = new RefineRecord { Model = modelPath, Settings = settings } };
        Console.WriteLine($"model: {modelPath}; device: {dev.Name}; refining {source.Videos.Count} videos of {inPath} → {outPath}" +
                          $" (agreement IoU ≥ {settings.AgreeIou}, chunks of {settings.Chunk}, up to {settings.MaxExtend} frames a side, seeds of {settings.MinSeed}+ frames)" +
                          (labels.Refined!.Done.Count > 0 ? $"; resuming: {labels.Refined.Done.Count} done" : ""));
        int before = source.Videos.Values.Where(v => !v.Dropped).Sum(v => v.ReliableFrames), usableBefore = source.Videos.Values.Count(v => !v.Dropped);
        var gate = new object();
        ProgressBar.Live(() =>
        {
            var bar = new ProgressBar("refine", source.Videos.Count);
            string? PathOf(string name) => sources.FirstOrDefault(s => s.name == name).path;
            var todo = source.Videos.Where(kv => !labels.Refined.Done.Contains(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
            int finished = source.Videos.Count - todo.Count;
            bar.Report(finished, "videos");
            // Videos are refined `jobs` at a time, each on its own trackers: one tracker's small ops leave the cores
            // idle between their parallel loops, and a second video fills them. No video reads another's state, and
            // no op's arithmetic depends on how many run at once, so the labels do not depend on the number of jobs.
            Parallel.ForEach(Partitioner.Create(todo, EnumerablePartitionerOptions.NoBuffering), new ParallelOptions { MaxDegreeOfParallelism = jobs }, kv =>
            {
                var refined = RefineOne(kv.Key, kv.Value);
                lock (gate)
                {
                    if (refined is not null) labels.Videos[kv.Key] = refined;
                    labels.Refined.Done.Add(kv.Key);
                    labels.Write(outPath);
                    bar.Report(++finished, "videos");
                }
            });

            // The refined labels of one video, or null (and why, when it is not simply seedless) to keep them as they were.
            VideoLabels? RefineOne(string name, VideoLabels v)
            {
                var path = PathOf(name);
                if (path is null) { ProgressBar.WriteLine($"{name}: not under '{input}', kept as it was"); return null; }
                if (v.Frames == 0 || !v.Quality.Any(q => q >= source.Config.ReliableQuality)) return null;
                List<Mat>? frames;
                try { frames = ReadFrames(SequenceLoader.Load(path), v.Frames); }
                catch (Exception e) when (e is BadDataException or IOException or OpenCVException)
                {
                    ProgressBar.WriteLine($"{name}: unreadable, kept as it was: {e.Message}");
                    return null;
                }
                if (frames is null) { ProgressBar.WriteLine($"{name}: its frame count is not the labels' {v.Frames}, kept as it was"); return null; }
                try
                {
                    var (refined, added) = LabelRefiner.Refine(v, frames, model, tracker, settings, source.Config);
                    ProgressBar.WriteLine($"{name}: {v.ReliableFrames} → {refined.ReliableFrames} reliable frames (+{added} tracked){(v.Dropped && !refined.Dropped ? ", usable now" : "")}");
                    return refined;
                }
                finally { foreach (var m in frames) m.Dispose(); }
            }
        });
        var montage = PseudoLabelCommand.WriteWithMontage(labels, sources, outPath,
            (_, usable, reliable) => $"Pseudo labels after the second round with {Path.GetFileName(modelPath)}: {usable} usable videos, {reliable} reliable frames in them");
        int after = labels.Videos.Values.Where(v => !v.Dropped).Sum(v => v.ReliableFrames), usableAfter = labels.Videos.Values.Count(v => !v.Dropped);
        Console.WriteLine($"wrote {outPath}{(montage is null ? "" : $" and {montage}")}: usable videos {usableBefore} → {usableAfter}, reliable frames in them {before:N0} → {after:N0}");
        return 0;
    }
}
