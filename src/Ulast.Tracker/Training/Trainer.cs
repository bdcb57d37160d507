using System.Diagnostics;
using System.Globalization;
using Ulast.Autograd.Optim;
using Ulast.Tracker.Data;
using Ulast.Tracker.Evaluation;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.PseudoLabels;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.Training;

/// <summary>What one step did, for the log, the progress bar and the tests.</summary>
public sealed record StepStats(int Step, float Lr, float LambdaCycle, float Loss, float NaiveCls, float NaiveReg,
    float CycleCls, float CycleReg, float CycleWeightMin, float GradNorm, float WeightMean, double Seconds, bool Skipped);

/// <summary>Thrown when training cannot go on (repeated non-finite steps); the last good checkpoint stays on disk.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// The training loop (pysot's tools/train.py in shape): samples for step s+1 are prepared on a background thread
/// while step s trains; every step is guarded against non-finite values; the run folder holds the config,
/// train.csv, val.csv, loss.png, val.png, last.safetensors (model + optimiser + step, for --resume) and
/// best.safetensors (the model with the best validation AUC).
/// </summary>
public sealed class Trainer : IDisposable
{
    public const string LastFile = "last.safetensors", BestFile = "best.safetensors";
    private const string OptimPrefix = "optim.";

    private readonly Device _device;
    private readonly string _dir;
    private readonly TrainingSamples _samples;
    private readonly TrainingLoss _loss;
    private readonly Optimizer _opt;
    private readonly FrameCache _cache;
    /// <summary>The frame cache's memory budget in bytes, after the cap by available memory.</summary>
    public long FrameCacheBudget => _cache.Budget;
    private readonly List<(string Name, Tensor Tensor)> _buffers;
    private readonly TextWriter _log;
    private int _consecutiveSkips;

    public Trainer(Device device, TrainConfig config, LabelsFile labels, string runDir, bool resume, TextWriter log)
    {
        _device = device;
        _dir = runDir;
        _log = log;
        Directory.CreateDirectory(runDir);
        var last = Path.Combine(runDir, LastFile);
        Checkpoint.Contents? state = null;
        if (resume)
        {
            if (!File.Exists(last)) throw new FileNotFoundException($"Nothing to resume: '{last}' does not exist.", last);
            state = Checkpoint.Read(last);
            if (!state.Metadata.TryGetValue("train_config", out var json)) throw new BadDataException($"'{last}' is not a training checkpoint (no train_config).");
            var saved = TrainConfig.FromJson(json, last);
            // Only the length of the run and what it keeps may change on resume: anything else would not continue the same run.
            if (saved.ToJson() != (config with { Steps = saved.Steps, SnapshotEvery = saved.SnapshotEvery }).ToJson())
                throw new ArgumentException($"--resume: the config differs from the one '{last}' was trained with (only the number of steps and snapshot_every may change).");
        }
        config.Validate();
        Config = config;
        Model = new SiameseRpn(device, config.Model);
        foreach (var prefix in config.TrainOnly)
            if (!Model.NamedParameters().Any(p => p.Name.StartsWith(prefix, StringComparison.Ordinal)))
                throw new ArgumentException($"train_only: no parameter of the model starts with '{prefix}'.");
        var parameters = TrainedParameters(Model, config);
        _cache = new FrameCache(FrameCache.BudgetFor(config.FrameCacheBytes));
        _samples = new TrainingSamples(device, config, labels, _cache);
        _loss = new TrainingLoss(Model, config);
        _opt = config.Optimizer == "adamw"
            ? new AdamW(parameters, config.Lr, weightDecay: config.WeightDecay)
            : new Sgd(parameters, config.Lr, config.Momentum, config.WeightDecay);
        if (config.BackboneLrScale != 1f)
            foreach (var (name, p) in Model.NamedParameters().Where(p => p.Name.StartsWith("backbone.", StringComparison.Ordinal) && config.Trains(p.Name)))
                _opt.LrScale[p] = config.BackboneLrScale;
        _buffers = Model.NamedBuffers().ToList();
        if (state is not null)
        {
            Checkpoint.LoadInto(Model, state, last, strict: true, rename: n => n.StartsWith(OptimPrefix, StringComparison.Ordinal) ? null : n);
            var optState = _opt.NamedState().ToDictionary(s => OptimPrefix + s.Name, s => s.Tensor);
            foreach (var (name, t) in optState)
            {
                if (!state.Tensors.TryGetValue(name, out var v) || !v.Shape.SequenceEqual(t.Shape)) throw new BadDataException($"'{last}': optimiser tensor '{name}' is missing or has the wrong shape.");
                t.CopyFrom(v.Data);
            }
            NextStep = MetadataInt(state, "step", null, last);
            if (NextStep > config.Steps) throw new BadDataException($"'{last}' is at step {NextStep}, past the run's {config.Steps} steps: resume with --steps {NextStep} or more.");
            _opt.StepCount = MetadataInt(state, "optimizer_steps", 0, last);
            BestAuc = double.TryParse(state.Metadata.GetValueOrDefault("best_auc", "-1"), NumberStyles.Float, CultureInfo.InvariantCulture, out var best) && !double.IsNaN(best)
                ? best : throw new BadDataException($"'{last}': its best_auc metadata '{state.Metadata["best_auc"]}' is not a number.");
            SkippedSteps = MetadataInt(state, "skipped_steps", 0, last);
            TrainLog.Truncate(Path.Combine(runDir, "train.csv"), NextStep);
            TrainLog.Truncate(Path.Combine(runDir, "val.csv"), NextStep, inclusive: true);
            log.WriteLine($"resumed '{last}' at step {NextStep} of {config.Steps}");
        }
        else
        {
            foreach (var f in new[] { "train.csv", "val.csv" }) File.Delete(Path.Combine(runDir, f));
            if (config.Init is not null)
            {
                Checkpoint.LoadInto(Model, Checkpoint.Read(config.Init), config.Init, strict: true, rename: n => n.StartsWith(OptimPrefix, StringComparison.Ordinal) ? null : n);
                log.WriteLine($"initialised from '{config.Init}'");
            }
        }
        WriteText(Path.Combine(runDir, "config.json"), config.ToJson());
    }

    /// <summary>A non-negative integer of the checkpoint's metadata (<paramref name="fallback"/> when absent; required when null).</summary>
    private static int MetadataInt(Checkpoint.Contents state, string key, int? fallback, string source)
    {
        if (!state.Metadata.TryGetValue(key, out var text))
            return fallback ?? throw new BadDataException($"'{source}' has no '{key}' in its metadata: it is not a resumable training checkpoint.");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            throw new BadDataException($"'{source}': its '{key}' metadata '{text}' is not a step count.");
        return v;
    }

    /// <summary>The training config saved in a run's last checkpoint (what --resume continues).</summary>
    public static TrainConfig SavedConfig(string runDir)
    {
        var last = Path.Combine(runDir, LastFile);
        if (!File.Exists(last)) throw new FileNotFoundException($"Nothing to resume: '{last}' does not exist.", last);
        var meta = Checkpoint.Read(last).Metadata;
        if (!meta.TryGetValue("train_config", out var json)) throw new BadDataException($"'{last}' is not a training checkpoint (no train_config).");
        return TrainConfig.FromJson(json, last);
    }

    public TrainConfig Config { get; }
    public SiameseRpn Model { get; }
    public int NextStep { get; private set; }
    public double BestAuc { get; private set; } = -1;
    public int SkippedSteps { get; private set; }
    public TrainingSamples Samples => _samples;
    public string RunDir => _dir;
    /// <summary>Test hook: changes a step's samples before it runs (e.g. injects a NaN).</summary>
    public Action<int, StepSamples>? BeforeStep { get; set; }

    /// <summary>Trains until the last step or until <paramref name="stop"/> is cancelled; checkpoints on the way and at the end.</summary>
    public void Run(CancellationToken stop, Action<StepStats>? progress = null, Action<int, double>? validated = null)
    {
        var csv = new TrainLog(Path.Combine(_dir, "train.csv"),
            "step,lr,lambda_c,loss,naive_cls,naive_reg,cycle_cls,cycle_reg,cycle_w_min,grad_norm,weight_mean,seconds,skipped");
        Task<StepSamples>? next = NextStep < Config.Steps ? Prepare(NextStep) : null;
        try
        {
            while (NextStep < Config.Steps && !stop.IsCancellationRequested)
            {
                int step = NextStep;
                var samples = next!.Result;
                next = step + 1 < Config.Steps ? Prepare(step + 1) : null;
                StepStats stats;
                using (samples)
                {
                    BeforeStep?.Invoke(step, samples);
                    stats = Step(step, samples);
                }
                NextStep = step + 1;
                csv.Append(string.Join(",", new object[] { stats.Step, stats.Lr, stats.LambdaCycle, stats.Loss, stats.NaiveCls, stats.NaiveReg, stats.CycleCls,
                    stats.CycleReg, stats.CycleWeightMin, stats.GradNorm, stats.WeightMean, stats.Seconds.ToString("0.###", CultureInfo.InvariantCulture), stats.Skipped ? 1 : 0 }
                    .Select(v => v is float f ? f.ToString("G6", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture))));
                progress?.Invoke(stats);
                bool validate = Config.ValidateEvery > 0 && (NextStep % Config.ValidateEvery == 0 || NextStep == Config.Steps);
                if (validate)
                {
                    double auc = Validate();
                    validated?.Invoke(NextStep, auc);
                }
                if (NextStep % Config.CheckpointEvery == 0 || NextStep == Config.Steps || validate) SaveLast();
                if (Config.SnapshotEvery > 0 && NextStep % Config.SnapshotEvery == 0)
                    Checkpoint.SaveModel(Path.Combine(_dir, "snapshots", $"step-{NextStep}.safetensors"), Model, new Dictionary<string, string> { ["step"] = NextStep.ToString(CultureInfo.InvariantCulture) });
                if (NextStep % 25 == 0 || NextStep == Config.Steps) TrainPlots.Loss(_dir);
            }
            if (NextStep < Config.Steps) SaveLast();   // interrupted: nothing lost
        }
        finally
        {
            if (next is not null) { try { next.Result.Dispose(); } catch (AggregateException) { } }
            csv.Dispose();
        }
    }

    private Task<StepSamples> Prepare(int step)
    {
        bool cycle = Config.CycleWeight(step) > 0;
        return Task.Run(() =>
        {
            if (!_device.IsCpu) _device.Accelerator.Bind();   // a CUDA context is per thread
            return _samples.Make(step, cycle);
        });
    }

    /// <summary>One optimisation step on the given samples; skipped (weights and statistics untouched) when anything is non-finite.</summary>
    public StepStats Step(int step, StepSamples samples)
    {
        var clock = Stopwatch.StartNew();
        float lr = Config.LearningRate(step), lambda = Config.CycleWeight(step);
        _opt.LearningRate = lr;
        var saved = _buffers.Select(b => b.Tensor.ToArray()).ToArray();
        float loss, gradNorm = float.NaN;
        LossValue naive;
        LossValue? cycle = null;
        using (var scope = new TensorScope())
        {
            naive = _loss.Naive(samples.Naive);
            float naiveWeight = Config.NaiveWeight(step);
            var total = naiveWeight != 1f ? Ops.MulScalar(naive.Loss, naiveWeight) : naive.Loss;
            if (lambda > 0 && samples.Clips is not null)
            {
                cycle = _loss.Cycle(samples);
                total = Ops.Add(total, Ops.MulScalar(cycle.Loss, lambda));
            }
            loss = total.Item();
            if (float.IsFinite(loss))
            {
                total.Backward();
                gradNorm = GradNorm();
            }
        }
        bool skip = !float.IsFinite(loss) || !float.IsFinite(gradNorm);
        if (skip)
        {
            _opt.ZeroGrad();
            for (int i = 0; i < _buffers.Count; i++) _buffers[i].Tensor.CopyFrom(saved[i]);
            SkippedSteps++;
            _consecutiveSkips++;
            _log.WriteLine($"step {step}: non-finite {(float.IsFinite(loss) ? "gradient" : "loss")} ({loss}); step skipped, weights unchanged ({_consecutiveSkips} in a row)");
            if (_consecutiveSkips >= Config.NanPatience)
                throw new TrainingDivergedException($"{_consecutiveSkips} non-finite steps in a row at step {step}: training stopped; the last checkpoint in '{_dir}' holds finite weights.");
        }
        else
        {
            _consecutiveSkips = 0;
            if (Config.ClipNorm > 0 && gradNorm > Config.ClipNorm)
                foreach (var p in _opt.Parameters) p.Grad?.AddScaled(p.Grad, Config.ClipNorm / gradNorm - 1f);
            _opt.Step();
            _opt.ZeroGrad();
        }
        return new StepStats(step, lr, lambda, loss, naive.Cls, naive.Reg, cycle?.Cls ?? float.NaN, cycle?.Reg ?? float.NaN, cycle?.WeightMin ?? float.NaN,
            gradNorm, WeightMean(), clock.Elapsed.TotalSeconds, skip);
    }

    /// <summary>
    /// Readies a model for training under <paramref name="config"/> and returns the parameters that learn: frozen ones
    /// (train_only) need no gradient, and frozen modules keep their BatchNorm statistics (evaluation mode).
    /// </summary>
    public static List<Tensor> TrainedParameters(SiameseRpn model, TrainConfig config)
    {
        foreach (var (name, p) in model.NamedParameters()) p.RequiresGrad = config.Trains(name);
        SetTrainMode(model, config);
        return model.NamedParameters().Where(p => config.Trains(p.Name)).Select(p => p.Tensor).ToList();
    }

    /// <summary>Training mode for the trained parts; with train_only, evaluation mode for the frozen ones.</summary>
    private static void SetTrainMode(SiameseRpn model, TrainConfig config)
    {
        if (config.TrainOnly.Length == 0) model.Train();
        else model.TrainWhere(path => path.Length > 0 && config.Trains(path));
    }

    private float GradNorm()
    {
        double sum = 0;
        foreach (var p in _opt.Parameters)
        {
            if (p.Grad is null) continue;
            foreach (var g in p.Grad.ToArray()) sum += (double)g * g;
        }
        return (float)Math.Sqrt(sum);
    }

    private float WeightMean()
    {
        double sum = 0;
        long n = 0;
        foreach (var p in _opt.Parameters) { foreach (var v in p.ToArray()) sum += Math.Abs(v); n += p.Size; }
        return (float)(sum / Math.Max(1, n));
    }

    /// <summary>Quick validation: one-pass evaluation on the dev sequences; the best model is kept as best.safetensors.</summary>
    public double Validate()
    {
        var seqs = SequenceLoader.LoadAll(Config.ValData, Config.ValSequences).Where(s => s.HasGroundTruth).ToList();
        if (seqs.Count == 0) throw new BadDataException($"No validation sequence with ground truth under '{Config.ValData}'.");
        var results = new List<SequenceResult>();
        try
        {
            using var tracker = new UlastVisualTracker(Model, Config.ValPreset, TrackerPresets.Get(Config.ValPreset).Settings with { Siamese = Config.Tracker });
            foreach (var seq in seqs) results.Add(Evaluator.Run(tracker, seq));
        }
        finally { SetTrainMode(Model, Config); }
        var summary = Report.Summarise("ulast", results);
        using (var val = new TrainLog(Path.Combine(_dir, "val.csv"), "step,auc,precision,norm_precision,fps"))
            val.Append(FormattableString.Invariant($"{NextStep},{summary.Auc:0.0000},{summary.Precision:0.0000},{summary.NormPrecision:0.0000},{summary.Fps:0.0}"));
        TrainPlots.Validation(_dir);
        if (summary.Auc > BestAuc)
        {
            BestAuc = summary.Auc;
            Checkpoint.SaveModel(Path.Combine(_dir, BestFile), Model, new Dictionary<string, string>
            {
                ["train_config"] = Config.ToJson(), ["step"] = NextStep.ToString(CultureInfo.InvariantCulture),
                ["val_auc"] = summary.Auc.ToString("0.0000", CultureInfo.InvariantCulture),
            });
        }
        _log.WriteLine(FormattableString.Invariant($"step {NextStep}: validation AUC {summary.Auc:0.000}, precision {summary.Precision:0.000} on {seqs.Count} sequences (best {BestAuc:0.000})"));
        return summary.Auc;
    }

    /// <summary>Writes last.safetensors: the model, the optimiser's state and the step (the samplers' state is the step itself).</summary>
    public void SaveLast()
    {
        var state = Model.State().Concat(_opt.NamedState().Select(s => (OptimPrefix + s.Name, s.Tensor)));
        Checkpoint.Save(Path.Combine(_dir, LastFile), state, new Dictionary<string, string>
        {
            [Checkpoint.ConfigKey] = Model.Config.ToJson(),
            ["format"] = "ulast-train",
            ["train_config"] = Config.ToJson(),
            ["step"] = NextStep.ToString(CultureInfo.InvariantCulture),
            ["optimizer_steps"] = _opt.StepCount.ToString(CultureInfo.InvariantCulture),
            ["best_auc"] = BestAuc.ToString("R", CultureInfo.InvariantCulture),
            ["skipped_steps"] = SkippedSteps.ToString(CultureInfo.InvariantCulture),
        });
    }

    private static void WriteText(string path, string text) => AtomicFile.WriteAllText(path, text);

    public void Dispose()
    {
        _opt.Dispose();
        _loss.Dispose();
        _cache.Dispose();
        Model.Dispose();
    }
}
