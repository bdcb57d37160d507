using static Ulast.Cli.OptionSpec;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Ulast.Tracker.IO;
using Ulast.Tracker.PseudoLabels;
using Ulast.Tracker.Training;

namespace Ulast.Cli.Commands;

/// <summary>
/// ulast train --out runs/NAME [--config FILE.json] [--labels labels.json] [--resume] [flags that override the config]:
/// ULAST training from unlabelled video (naive pairs, then the forward-backward cycle). Ctrl-C (or SIGTERM)
/// finishes the step, writes last.safetensors and exits; --resume continues exactly where it stopped.
/// </summary>
public static class TrainCommand
{
    public static readonly OptionSpec Out = Text("--out", "run folder, e.g. runs/NAME (required)");
    public static readonly OptionSpec Config = Text("--config", "training config (JSON; the defaults below are those of a run without one) [default: none]");
    public static readonly OptionSpec Labels = Text("--labels", "labels file [default: out/labels.json; labelled first when missing]");
    public static readonly OptionSpec Resume = Flag("--resume", "continue the run in --out where it stopped");
    public static readonly OptionSpec WriteConfig = Text("--write-config", "write the resolved config to this file and stop [default: none]");

    /// <summary>This command's own options (the shared ones are added where the command is built).</summary>
    public static readonly OptionSpec[] Specs = { Out, Config, Labels, Resume, WriteConfig };

    /// <summary>The copy of the labels a run trains on, inside its folder.</summary>
    public const string RunLabelsFile = "labels.json";

    public static int Run(Options o)
    {
        var outDir = o.String(Out);
        bool resume = o.Flag(Resume);
        var configPath = o.String(Config);
        var labelsPath = o.String(Labels);
        var writeConfig = o.String(WriteConfig);
        if (outDir is null && writeConfig is null) throw new ArgumentException("train needs --out runs/NAME (the run folder).");
        if (resume && outDir is null) throw new ArgumentException("--resume needs --out runs/NAME.");
        TrainConfig cfg;
        if (resume)
        {
            if (configPath is not null) throw new ArgumentException("--resume continues the run's own config: drop --config.");
            cfg = Trainer.SavedConfig(outDir!);
        }
        else if (configPath is not null)
        {
            if (!File.Exists(configPath)) throw new FileNotFoundException($"Config file '{configPath}' does not exist.");
            cfg = TrainConfig.FromJson(File.ReadAllText(configPath), configPath);
        }
        else cfg = new TrainConfig();
        // Resuming keeps the run's config; only how long it runs and what it keeps may change.
        cfg = o.Apply(cfg, resume ? TrainOptions.OnResume : null);
        cfg.Validate();
        if (writeConfig is not null)
        {
            o.EnsureAllUsed();
            OutputCheck.File(writeConfig, WriteConfig.Name);
            AtomicFile.WriteAllText(writeConfig, cfg.ToJson());
            Console.WriteLine($"wrote {writeConfig}");
            return 0;
        }
        if (outDir is null) throw new ArgumentException("train needs --out runs/NAME (the run folder).");
        using var dev = o.CreateDevice();
        o.EnsureAllUsed(resume ? $"--resume continues the run's own config; only {string.Join(" and ", TrainOptions.OnResume)} may change." : null);
        OutputCheck.Folder(outDir, Out.Name);
        // The run folder keeps a copy of its labels, so that --resume trains on the same data whatever --labels says.
        var runLabels = Path.Combine(outDir, RunLabelsFile);
        if (resume)
        {
            if (!File.Exists(runLabels))
            {
                if (labelsPath is null) throw new ArgumentException($"--resume: '{outDir}' keeps no {RunLabelsFile} (a run from before runs kept their labels): give the labels it trained on with --labels.");
            }
            else if (labelsPath is not null && !File.ReadAllBytes(labelsPath).AsSpan().SequenceEqual(File.ReadAllBytes(runLabels)))
                throw new ArgumentException($"--resume: '{labelsPath}' is not the labels file this run trains on ('{runLabels}'): drop --labels to continue the same run.");
            else labelsPath = runLabels;
        }
        labelsPath ??= Path.Combine("out", "labels.json");
        if (!File.Exists(labelsPath))
        {
            Console.WriteLine($"no labels at '{labelsPath}': labelling ../shared/data/unlabeled first");
            PseudoLabelCommand.Run(CommandTree.Parse("pseudo-label", PseudoLabelCommand.Input.Name, Path.Combine("..", "shared", "data", "unlabeled"), PseudoLabelCommand.Out.Name, labelsPath));
        }
        var labels = LabelsFile.Read(labelsPath);
        if (Path.GetFullPath(labelsPath) != Path.GetFullPath(runLabels))
        {
            Directory.CreateDirectory(outDir);
            AtomicFile.Replace(runLabels, tmp => File.Copy(labelsPath, tmp, overwrite: true));
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); Console.Error.WriteLine("\ninterrupted: finishing the step and writing a checkpoint…"); };
        Console.CancelKeyPress += onCancel;
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cancel.Cancel(); });
        try
        {
            using var trainer = new Trainer(dev, cfg, labels, outDir, resume, Console.Out);
            Console.WriteLine($"device: {dev.Name}; model {cfg.Model.Backbone} ({trainer.Model.ParameterCount:N0} parameters); {trainer.Samples.Pool.Count:N0} naive frames" +
                (trainer.Samples.ClipSet is { } set ? $", {set.Videos.Count} videos with reliable segments for the cycle" : "") + $"; frame cache {trainer.FrameCacheBudget / (1 << 20):N0} MiB; steps {trainer.NextStep}→{cfg.Steps}; run folder {outDir}");
            var bar = new TrainProgress(cfg.Steps, trainer.NextStep);
            trainer.Run(cancel.Token, bar.Report, (step, auc) => bar.Note($"step {step}: validation AUC {auc:0.000} (best {trainer.BestAuc:0.000})"));
            bar.Finish();
            if (trainer.NextStep < cfg.Steps)
            {
                Console.WriteLine($"stopped at step {trainer.NextStep}: {outDir}/{Trainer.LastFile} written; continue with: ulast train --out {outDir} --resume");
                return 130;
            }
            Console.WriteLine(cfg.ValidateEvery > 0
                ? $"done: {cfg.Steps} steps; {trainer.SkippedSteps} skipped; best validation AUC {trainer.BestAuc:0.000} → {outDir}/{Trainer.BestFile}; logs train.csv, val.csv, loss.png, val.png"
                : $"done: {cfg.Steps} steps; {trainer.SkippedSteps} skipped; no validation (validate_every 0) → {outDir}/{Trainer.LastFile}; logs train.csv, loss.png");
            return 0;
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }
        finally { Console.CancelKeyPress -= onCancel; }
    }
}

/// <summary>One status line: step, loss terms, λc, steps/s and ETA (a plain line every 10 steps when not on a terminal).</summary>
internal sealed class TrainProgress(int total, int start)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Queue<(int step, double t)> _recent = new();
    private long _lastDraw;

    public void Report(StepStats s)
    {
        double now = _clock.Elapsed.TotalSeconds;
        _recent.Enqueue((s.Step, now));
        while (_recent.Count > 20) _recent.Dequeue();
        var first = _recent.Peek();
        double rate = _recent.Count > 1 ? (s.Step - first.step) / Math.Max(1e-9, now - first.t) : 1 / Math.Max(1e-9, s.Seconds);
        double eta = (total - s.Step - 1) / Math.Max(1e-9, rate);
        string cyc = float.IsNaN(s.CycleCls) ? "" : $" cyc {s.CycleCls:0.000}/{s.CycleReg:0.000}";
        string line = $"step {s.Step + 1}/{total} loss {s.Loss:0.000} naive {s.NaiveCls:0.000}/{s.NaiveReg:0.000}{cyc} λc {s.LambdaCycle:0.00} lr {s.Lr:0.00000} |g| {s.GradNorm:0.00}{(s.Skipped ? " SKIPPED" : "")} {rate:0.00} steps/s ETA {TimeSpan.FromSeconds(eta):hh\\:mm\\:ss}";
        if (Console.IsErrorRedirected)
        {
            if ((s.Step + 1) % 10 == 0 || s.Step + 1 == total || s.Step == start || s.Skipped) Console.Error.WriteLine(line);
            return;
        }
        if (_clock.ElapsedMilliseconds - _lastDraw < 200 && s.Step + 1 < total) return;
        _lastDraw = _clock.ElapsedMilliseconds;
        int width = 20, filled = (int)((long)(s.Step + 1) * width / total);
        Console.Error.Write($"\r[{new string('#', filled)}{new string('.', width - filled)}] {line}   ");
    }

    public void Note(string text)
    {
        if (!Console.IsErrorRedirected) Console.Error.WriteLine();
        Console.Error.WriteLine(text);
    }

    public void Finish() { if (!Console.IsErrorRedirected) Console.Error.WriteLine(); }
}
