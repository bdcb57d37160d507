using static Ulast.Cli.OptionSpec;
using Ulast.Tracker.Tracking;
using Ulast.Tracker.Training;

namespace Ulast.Cli;

/// <summary>
/// The options of `ulast train` that override its config: each names the <see cref="TrainConfig"/> property it sets, and its
/// help shows that property's default (a run without a config file).
/// </summary>
public static class TrainOptions
{
    private static readonly TrainConfig Defaults = new();

    private static OptionSpec Sets(OptionSpec spec, Func<TrainConfig, object>? get, Func<TrainConfig, object, TrainConfig> set) =>
        (spec with { Help = get is null ? spec.Help : $"{spec.Help} {D(get(Defaults))}" }).Binds(set);

    private static string[] List(object v) => ((string)v).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static readonly OptionSpec[] Overrides =
    {
        Sets(Int("--steps", "total steps", 1, 10_000_000), c => c.Steps, (c, v) => c with { Steps = (int)v }),
        Sets(Text("--init", "start from this model's weights [default: the config's init; without one, freshly initialised weights]"), null, (c, v) => c with { Init = (string)v }),
        Sets(Flag("--no-cycle", "naive pairs only"), null, (c, _) => c with { Cycle = false }),
        Sets(Flag("--no-cpt", "ablation: the template stays T1 through the cycle"), null, (c, _) => c with { UseCpt = false }),
        Sets(Flag("--no-region-mask", "ablation: the conventional cycle (crop of a detached box)"), null, (c, _) => c with { RegionMask = false }),
        Sets(Flag("--no-reweight", "ablation: no mask-guided re-weighting"), null, (c, _) => c with { Reweight = c.Reweight with { Enabled = false } }),
        Sets(Flag("--cpt-residual", "the CPT adds its output to the template"), null, (c, _) => c with { Model = c.Model with { CptResidual = true } }),
        Sets(Number("--reweight-threshold", "[ours] re-weighting's predicted mask counts boxes scoring above this (0: all)", 0, 0.9999), c => c.Reweight.ScoreThreshold,
            (c, v) => c with { Reweight = c.Reweight with { ScoreThreshold = (float)v } }),
        Sets(Number("--reweight-peak-fraction", "[ours] re-weighting compares regions: predicted mask above this fraction of its peak (0: compare values)", 0, 1), c => c.Reweight.PeakFraction,
            (c, v) => c with { Reweight = c.Reweight with { PeakFraction = (float)v } }),
        Sets(Flag("--no-freeze-cpt-stats", "[ours] ablation: CPT templates in the cycle update the head's BatchNorm running statistics too"), null, (c, _) => c with { CycleFreezeCptStats = false }),
        Sets(Number("--lambda-cycle", "weight λc of the cycle loss once ramped up: L = (1 − λc)·L_naive + λc·L_cycle", 0, 1), c => c.LambdaCycle, (c, v) => c with { LambdaCycle = (float)v }),
        Sets(Flag("--cycle-frozen-backbone", "[ours] the cycle's gradient stops at the backbone (neck, head and CPT still learn)"), null, (c, _) => c with { CycleBackboneGrad = false }),
        Sets(Flag("--cycle-additive", "[ours] L = L_naive + λc·L_cycle: the naive pairs keep their whole weight"), null, (c, _) => c with { CycleAdditive = true }),
        Sets(Number("--cycle-shift", "[ours] random shift of each cycle search crop, fraction of its side (0: centred on the prediction)", 0, 0.45), c => c.CycleShift, (c, v) => c with { CycleShift = (float)v }),
        Sets(Int("--seed", "random seed", int.MinValue, int.MaxValue), c => c.Seed, (c, v) => c with { Seed = (int)v }),
        Sets(Number("--lr", "peak learning rate", 1e-9, 10), c => c.Lr, (c, v) => c with { Lr = (float)v }),
        Sets(Text("--optimizer", "sgd or adamw"), c => c.Optimizer, (c, v) => c with { Optimizer = (string)v }),
        Sets(Int("--naive-batch", "naive pairs per step", 1, 512), c => c.NaiveBatch, (c, v) => c with { NaiveBatch = (int)v }),
        Sets(Int("--cycle-batch", "cycle clips per step", 1, 128), c => c.CycleBatch, (c, v) => c with { CycleBatch = (int)v }),
        Sets(Int("--cycle-start", "first step of the cycle loss", 0, 10_000_000), c => c.CycleStart, (c, v) => c with { CycleStart = (int)v }),
        Sets(Int("--validate-every", "steps between validations (0: never)", 0, 10_000_000), c => c.ValidateEvery, (c, v) => c with { ValidateEvery = (int)v }),
        Sets(Int("--checkpoint-every", "steps between checkpoints", 1, 10_000_000), c => c.CheckpointEvery, (c, v) => c with { CheckpointEvery = (int)v }),
        Sets(Int("--snapshot-every", "[ours] keep the model every N steps in snapshots/ for weight averaging (0: never; may change on --resume)", 0, 10_000_000), c => c.SnapshotEvery,
            (c, v) => c with { SnapshotEvery = (int)v }),
        Sets(Text("--val-sequences", "validation sequences, comma-separated [default: every sequence of the config's val_data]"), null, (c, v) => c with { ValSequences = List(v) }),
        Sets(Text("--val-preset", $"the tracker preset the validation scores: {TrackerPresets.Names}"), c => c.ValPreset, (c, v) => c with { ValPreset = (string)v }),
        Sets(Text("--train-only", "train only parameters under these prefixes, comma-separated (e.g. cpt.) [default: all]"), null, (c, v) => c with { TrainOnly = List(v) }),
        Sets(Number("--backbone-lr-scale", "the backbone learns at this fraction of the learning rate (pysot: 0.1 for a pretrained one)", 0, 10), c => c.BackboneLrScale,
            (c, v) => c with { BackboneLrScale = (float)v }),
        Sets(Text("--backbone", "small, resnet18 or resnet50"), c => c.Model.Backbone, (c, v) => c with { Model = c.Model with { Backbone = (string)v } }),
    };

    /// <summary>What a resumed run may still change: how long it runs and what it keeps (the rest is the run's own config).</summary>
    public static readonly string[] OnResume = { "--steps", "--snapshot-every" };
}
