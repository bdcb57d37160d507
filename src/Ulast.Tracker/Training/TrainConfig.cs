using System.Text.Json;
using System.Text.Json.Serialization;
using Ulast.Tracker.IO;
using Ulast.Tracker.Losses;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.Training;

/// <summary>
/// Every knob of a training run (ULAST §4–§7). Written into the run folder and into every checkpoint, so a
/// run can be reproduced and resumed from its checkpoint alone. Defaults and the reasons for them are in
/// docs/TRAINING.md.
/// </summary>
public sealed record TrainConfig
{
    public ModelConfig Model { get; init; } = new();
    /// <summary>Start from this model's weights (e.g. a shared naive checkpoint for the ablations); null = random initialisation.</summary>
    public string? Init { get; init; }
    public int Steps { get; init; } = 4000;
    /// <summary>Every random draw of step s (samples, augmentation) comes from (Seed, s): the step number is the sampler state.</summary>
    public int Seed { get; init; } = 1;
    public int NaiveBatch { get; init; } = 16;
    public int CycleBatch { get; init; } = 4;

    // Optimisation (USOT: SGD momentum 0.9, wd 1e-4, warm-up then log decay).
    /// <summary>"sgd" or "adamw".</summary>
    public string Optimizer { get; init; } = "sgd";
    public float Lr { get; init; } = 0.01f;
    public float WarmupLr { get; init; } = 0.002f;
    public int WarmupSteps { get; init; } = 200;
    /// <summary>Learning rate at the last step; from the end of warm-up it decays log-linearly from Lr to this.</summary>
    public float FinalLr { get; init; } = 0.0005f;
    public float Momentum { get; init; } = 0.9f;
    /// <summary>
    /// [ours] Train only the parameters under these name prefixes (e.g. "cpt."); everything else is frozen, its
    /// BatchNorm in evaluation mode, so the offline tracker stays exactly as it was. Empty: train everything.
    /// </summary>
    public string[] TrainOnly { get; init; } = Array.Empty<string>();
    /// <summary>The backbone's parameters learn at this fraction of the learning rate (pysot: 0.1 for a pretrained backbone).</summary>
    public float BackboneLrScale { get; init; } = 1f;
    public float WeightDecay { get; init; } = 1e-4f;
    /// <summary>Gradients are scaled down when their global L2 norm exceeds this (0 = no clipping).</summary>
    public float ClipNorm { get; init; } = 10f;
    /// <summary>Non-finite loss or gradient: the step is skipped; this many in a row stop the run.</summary>
    public int NanPatience { get; init; } = 5;

    // Losses (ULAST §2, §4).
    public float LambdaCls { get; init; } = 1f;
    public float LambdaReg { get; init; } = 1.2f;
    /// <summary>[ours] 1 − GIoU instead of −ln IoU: bounded, and with a gradient for boxes that miss the target entirely.</summary>
    public bool Giou { get; init; } = true;

    // The cycle (ULAST §4–§6) and its ablation switches.
    /// <summary>Off: naive loss only (--no-cycle).</summary>
    public bool Cycle { get; init; } = true;
    /// <summary>Naive loss alone before this step: the cycle needs a tracker that already follows the object.</summary>
    public int CycleStart { get; init; } = 1500;
    /// <summary>λc rises linearly from 0 to LambdaCycle over this many steps after CycleStart.</summary>
    public int CycleRamp { get; init; } = 500;
    public float LambdaCycle { get; init; } = 0.5f;
    /// <summary>
    /// [ours] L = L_naive + λc·L_cycle instead of (1 − λc)·L_naive + λc·L_cycle: the naive pairs keep their whole
    /// weight, so the cycle adds its gradient to naive-only training instead of replacing part of it. Measured: with
    /// the paper's form the full method's naive loss stayed higher than naive-only's at an equal step budget.
    /// </summary>
    public bool CycleAdditive { get; init; }
    /// <summary>
    /// [ours] Off: the cycle's gradient stops at the backbone (neck, head and CPT still learn from it), and the backbone
    /// runs without recording gradients in the cycle — USOT kept its backbone frozen for the first third of training,
    /// and every full run here moved the naive loss up. On (default): the paper's end-to-end cycle.
    /// </summary>
    public bool CycleBackboneGrad { get; init; } = true;
    /// <summary>Largest gap in frames between the template frame and the last search frame of a clip.</summary>
    public int CycleMaxSpan { get; init; } = 40;
    /// <summary>
    /// [ours] Random shift of every cycle search crop from the box it follows, up to this fraction of the crop side in
    /// x and y (0 = crops centred on the prediction). Without it the cycle has a trivial solution: predict "no motion"
    /// and every crop, the last one on t0 included, is centred on the pseudo box, so the loss is met by a centre bias.
    /// </summary>
    public float CycleShift { get; init; } = 0.2f;
    /// <summary>
    /// [ours] Cycle steps whose template came from CPT leave the head's BatchNorm running statistics alone (they
    /// still normalise with batch statistics). Otherwise 5 of every 7 updates come from CPT templates, whose
    /// statistics differ from T₁'s (template-branch running variance 1.4 against 3.4 after 300 full steps), and the
    /// offline tracker, which feeds T₁, normalises with the wrong ones.
    /// </summary>
    public bool CycleFreezeCptStats { get; init; } = true;
    /// <summary>Off: the template stays T₁ through the cycle (--no-cpt).</summary>
    public bool UseCpt { get; init; } = true;
    /// <summary>Off: the conventional cycle, the next template is read under the detached best box (--no-region-mask).</summary>
    public bool RegionMask { get; init; } = true;
    public float MaskThreshold { get; init; }
    /// <summary>Mask-guided re-weighting of the cycle loss (--no-reweight turns it off).</summary>
    public ReweightConfig Reweight { get; init; } = new();
    /// <summary>[ours] Re-weight the naive loss too. Off: a naive pair's target is exact by construction (the same pixels), so there is no label noise to weigh.</summary>
    public bool ReweightNaive { get; init; }

    // Data.
    /// <summary>[ours] Naive pairs also from frames outside the reliable segments that hold a plausible box, at this weight relative to a reliable frame (0 = reliable frames only).</summary>
    public float NaiveOtherFrames { get; init; } = 0.5f;
    public AugmentConfig SearchAugment { get; init; } = new() { Shift = 0.25f, Scale = 0.18f, FlipHorizontal = 0.4f, FlipVertical = 0.1f, Colour = 0.3f, BlurProbability = 0.2f };
    public AugmentConfig TemplateAugment { get; init; } = new() { Shift = 0.03f, Scale = 0.05f, FlipHorizontal = 0f, FlipVertical = 0f, Colour = 0.1f, BlurProbability = 0f };
    /// <summary>[ours] Probability of turning both crops of a sample grey: colour alone must not carry the match.</summary>
    public float GreyProbability { get; init; } = 0.1f;
    public long FrameCacheBytes { get; init; } = 16L << 30;

    // Bookkeeping.
    public int CheckpointEvery { get; init; } = 50;
    /// <summary>[ours] Keep the model every this many steps as snapshots/step-N.safetensors, for weight averaging (`ulast model --average`); 0 = none.</summary>
    public int SnapshotEvery { get; init; }
    public int ValidateEvery { get; init; } = 250;
    /// <summary>Dev sequences for the quick validation (null = all of ValData).</summary>
    public string[]? ValSequences { get; init; }
    public string ValData { get; init; } = Path.Combine("..", "shared", "data", "annotated");
    /// <summary>The Siamese post-processing of the validation tracker (and of the cycle's step from a frame to the next).</summary>
    public TrackerConfig Tracker { get; init; } = new();
    /// <summary>The tracker preset the validation scores (<see cref="TrackerPresets"/>): "siamese", what training changes directly, or "shipped".</summary>
    public string ValPreset { get; init; } = "siamese";

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A config file (or a checkpoint's copy): malformed JSON, a null section or an invalid value is a <see cref="BadDataException"/> naming <paramref name="source"/>.</summary>
    public static TrainConfig FromJson(string json, string source)
    {
        TrainConfig? c;
        try { c = JsonSerializer.Deserialize<TrainConfig>(WithoutOldScale(json), Json); }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new BadDataException($"'{source}' is not a valid training config: {e.Message}", e);
        }
        if (c is null) throw new BadDataException($"'{source}' holds no training config (null).");
        if (c.Model is null || !c.Model.IsComplete || c.Optimizer is null || c.TrainOnly is null
            || c.Reweight is null || c.SearchAugment is null || c.TemplateAugment is null || c.ValData is null || c.Tracker is null)
            throw new BadDataException($"'{source}' is not a valid training config: a section or value is null.");
        try { c.Validate(); }
        catch (ArgumentException e) { throw new BadDataException($"'{source}' is not a valid training config: {e.Message}", e); }
        return c;
    }

    /// <summary>
    /// Configs written before the scale filter moved to <see cref="TrackerSettings"/> hold "tracker": {"scale": null}; the
    /// key is dropped so that they still read (a value there was never used in training).
    /// </summary>
    private static string WithoutOldScale(string json)
    {
        try
        {
            var root = System.Text.Json.Nodes.JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (root?["tracker"] is System.Text.Json.Nodes.JsonObject t && t.ContainsKey("scale") && t["scale"] is null)
            {
                t.Remove("scale");
                return root.ToJsonString();
            }
        }
        catch (JsonException) { } // the deserialiser names what is wrong
        return json;
    }

    public void Validate()
    {
        Model.Validate();
        Tracker.Validate();
        TrackerPresets.Get(ValPreset);
        if (Steps <= 0) throw new ArgumentException("steps must be positive.");
        if (NaiveBatch <= 0) throw new ArgumentException("naive_batch must be positive.");
        if (Cycle && CycleBatch <= 0) throw new ArgumentException("cycle_batch must be positive when the cycle is on.");
        if (Optimizer is not ("sgd" or "adamw")) throw new ArgumentException($"optimizer '{Optimizer}': expected sgd or adamw.");
        if (!(Lr > 0) || !(WarmupLr > 0) || !(FinalLr > 0)) throw new ArgumentException("Learning rates must be positive.");
        if (LambdaCycle is < 0 or > 1) throw new ArgumentException("lambda_cycle must lie in [0, 1].");
        if (Cycle && UseCpt && !Model.Cpt) throw new ArgumentException("The cycle with CPT needs a model built with cpt = true.");
        if (SnapshotEvery < 0) throw new ArgumentException("snapshot_every must not be negative.");
        if (CheckpointEvery <= 0 || ValidateEvery < 0) throw new ArgumentException("checkpoint_every must be positive and validate_every not negative.");
        if (CycleShift is < 0 or > 0.45f) throw new ArgumentException("cycle_shift must lie in [0, 0.45].");
        if (Reweight.ScoreThreshold is < 0 or >= 1) throw new ArgumentException("reweight.score_threshold must lie in [0, 1).");
        if (!(BackboneLrScale is >= 0 and <= 10)) throw new ArgumentException("backbone_lr_scale must lie in [0, 10].");
        if (NaiveOtherFrames < 0) throw new ArgumentException("naive_other_frames must not be negative.");
    }

    /// <summary>Whether the parameter or module at this dotted path is trained (see <see cref="TrainOnly"/>).</summary>
    public bool Trains(string path) => TrainOnly.Length == 0 || TrainOnly.Any(p => path.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Learning rate at a step: linear warm-up from WarmupLr to Lr, then log-linear decay to FinalLr at the last step.</summary>
    public float LearningRate(int step)
    {
        if (step < WarmupSteps) return WarmupLr + (Lr - WarmupLr) * step / WarmupSteps;
        double t = Steps - 1 > WarmupSteps ? (double)(step - WarmupSteps) / (Steps - 1 - WarmupSteps) : 1;
        return (float)Math.Exp(Math.Log(Lr) + Math.Clamp(t, 0, 1) * (Math.Log(FinalLr) - Math.Log(Lr)));
    }

    /// <summary>Weight of the naive loss at a step: 1 − λc, or 1 with <see cref="CycleAdditive"/>.</summary>
    public float NaiveWeight(int step) => CycleAdditive ? 1f : 1f - CycleWeight(step);

    /// <summary>λc at a step: 0 before CycleStart, then a linear ramp to LambdaCycle.</summary>
    public float CycleWeight(int step)
    {
        if (!Cycle || step < CycleStart) return 0f;
        if (CycleRamp <= 0) return LambdaCycle;
        return LambdaCycle * Math.Min(1f, (step - CycleStart + 1) / (float)CycleRamp);
    }
}
