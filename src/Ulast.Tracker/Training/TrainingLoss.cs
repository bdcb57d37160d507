using Ulast.Autograd.Modules;
using Ulast.Tracker.Anchors;
using Ulast.Tracker.Data;
using Ulast.Tracker.Losses;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.Training;

/// <summary>A loss and its parts as numbers, for the log.</summary>
public sealed record LossValue(Tensor Loss, float Cls, float Reg, float WeightMin);

/// <summary>
/// ULAST's training losses (§4–§7): the naive loss L_l on same-frame pairs, and the cycle loss L_c on a clip
/// tracked t0 → t1 → t2 → t3 → t2 → t1 → t0 with the region mask and CPT at every step, scored on t0 against
/// its pseudo box. Labels by ATSS; per-sample mask-guided re-weighting.
/// </summary>
public sealed class TrainingLoss : IDisposable
{
    /// <summary>The palindrome of clip frames after the template frame: t1, t2, t3, t2, t1, t0.</summary>
    public static readonly int[] CycleOrder = { 1, 2, 3, 2, 1, 0 };

    private readonly SiameseRpn _model;
    private readonly TrainConfig _cfg;
    private readonly Tensor _anchors;
    private readonly SiamesePostProcessing _post;
    private readonly RegionMaskConfig _mask;

    public TrainingLoss(SiameseRpn model, TrainConfig cfg)
    {
        _model = model;
        _cfg = cfg;
        var a = model.Config.Anchors;
        _anchors = Tensor.PersistentFromArray(model.Device, a.Generate(), a.Count, 4);
        _post = new SiamesePostProcessing(_cfg.Tracker, a);
        _mask = new RegionMaskConfig { CropSize = model.Config.SearchSize, Threshold = cfg.MaskThreshold };
    }

    public Tensor Anchors => _anchors;

    /// <summary>
    /// Test hook for finite differences: when set, the cycle's discrete choices (the best box of each step and the
    /// next crop window) are recorded into an empty list, or replayed from a filled one, so that perturbed runs
    /// follow the same path — the path autograd differentiates, since those choices are detached.
    /// </summary>
    public List<(float[] Best, BoxF[] Estimate)>? FollowTrace { get; set; }
    private int _traceIndex;

    /// <summary>L_l: template and search crops of the same frame, the pseudo box as the target.</summary>
    public LossValue Naive(PairBatch batch)
    {
        var (cls, loc) = _model.Forward(batch.Templates, batch.Searches);
        return Supervised(cls, loc, batch.Boxes, _cfg.ReweightNaive && _cfg.Reweight.Enabled);
    }

    /// <summary>ATSS labels from the target boxes [B,4] (cx, cy, w, h in crop pixels) → λ1·BCE + λ2·IoU loss, re-weighted per sample.</summary>
    public LossValue Supervised(Tensor cls, Tensor loc, Tensor target, bool reweight)
    {
        int b = cls.Shape[0], k = _model.Config.Anchors.Count;
        var logits = cls.Reshape(b, k);
        var boxes = BoxOps.Decode(loc, _anchors, _model.Config.Anchors.PerCell);
        AtssLabels labels;
        using (GradMode.NoGrad()) labels = Atss.Assign(_anchors, target);
        var lc = TrackingLosses.Classification(logits, labels.Labels);
        var lr = TrackingLosses.Regression(boxes, target, labels.Labels, _cfg.Giou);
        Tensor? w = null;
        float wMin = 1f;
        if (reweight)
        {
            using (GradMode.NoGrad())
            {
                var predicted = RegionMask.Build(boxes, Ops.Sigmoid(logits), _mask with { Threshold = _cfg.Reweight.ScoreThreshold });
                var pseudo = RegionMask.OfBoxes(target, _mask);
                w = MaskReweighting.Weights(predicted, pseudo, _cfg.Reweight);
            }
            wMin = w.ToArray().Min();
        }
        var total = TrackingLosses.Combine(lc, lr, w, _cfg.LambdaCls, _cfg.LambdaReg);
        return new LossValue(total, lc.ToArray().Average(), lr.ToArray().Average(), wMin);
    }

    /// <summary>
    /// The search window of one cycle step: the tracker's window around the box estimate, its centre moved by
    /// U(−shift, shift)·side in x and y (<see cref="TrainConfig.CycleShift"/>), so that where the object sits in the
    /// crop is never known in advance — on the last frame, t0, too.
    /// </summary>
    public static CropWindow CycleWindow(BoxF estimate, int searchSize, int templateSize, float context, float shift, Random rng)
    {
        float side = SiamCrop.TemplateSide(estimate.W, estimate.H, context) * searchSize / templateSize;
        float cx = estimate.Cx, cy = estimate.Cy;
        if (shift > 0)
        {
            cx += (float)(rng.NextDouble() * 2 - 1) * shift * side;
            cy += (float)(rng.NextDouble() * 2 - 1) * shift * side;
        }
        return new CropWindow(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2, searchSize);
    }

    /// <summary>L_c on a batch of clips (see the class summary). Search crops follow the detached predicted box, randomly shifted.</summary>
    public LossValue Cycle(StepSamples s)
    {
        var clips = s.Clips ?? throw new ArgumentException("The step has no cycle clips.");
        int b = clips.Length, xs = _model.Config.SearchSize, zs = _model.Config.TemplateSize;
        var dev = _model.Device;
        var first = _model.TemplateFeatures(s.ClipTemplates!, _cfg.CycleBackboneGrad);
        var hidden = first;
        var estimate = clips.Select(c => c.Box0).ToArray();
        var colour = s.ClipSeeds!.Select(seed => new Random(seed)).ToArray();
        _traceIndex = 0;
        bool replay = FollowTrace is { Count: > 0 };
        for (int step = 0; step < CycleOrder.Length; step++)
        {
            int f = CycleOrder[step];
            var windows = new CropWindow[b];
            Tensor x;
            using (GradMode.NoGrad())
            {
                var crops = new Tensor[b];
                for (int i = 0; i < b; i++)
                {
                    windows[i] = CycleWindow(estimate[i], xs, zs, _cfg.Tracker.Context, _cfg.CycleShift, colour[i]);
                    var aug = _cfg.SearchAugment with { BlurProbability = 0 };
                    crops[i] = TrainingCrops.Crop(dev, clips[i].Frames[f], windows[i], colour[i], aug, clips[i].MeanColour).Reshape(1, 3 * xs * xs);
                }
                x = Ops.Concat(crops).Reshape(b, 3, xs, xs);
            }
            var search = _model.SearchFeatures(x, _cfg.CycleBackboneGrad);
            Tensor cls, loc;
            // After the first step the template is CPT's: keep it out of the head's running statistics, which the
            // offline tracker applies to T₁ (cycle_freeze_cpt_stats).
            using (BatchNormStats.Freeze(step > 0 && _cfg.CycleFreezeCptStats && _cfg.UseCpt && _model.Cpt is not null))
                (cls, loc) = _model.Head(_model.Kernels(hidden), search);
            if (step == CycleOrder.Length - 1)
            {
                var target = new float[b * 4];
                for (int i = 0; i < b; i++)
                {
                    var t = windows[i].ToCrop(clips[i].Box0);
                    target[i * 4] = t.Cx; target[i * 4 + 1] = t.Cy; target[i * 4 + 2] = t.W; target[i * 4 + 3] = t.H;
                }
                return Supervised(cls, loc, Tensor.FromArray(dev, target, b, 4), _cfg.Reweight.Enabled);
            }
            int k = _model.Config.Anchors.Count;
            var boxes = BoxOps.Decode(loc, _anchors, _model.Config.Anchors.PerCell);
            var scores = Ops.Sigmoid(cls.Reshape(b, k));
            float[] best;
            if (replay)
            {
                var (b0, e0) = FollowTrace![_traceIndex++];
                best = b0;
                Array.Copy(e0, estimate, e0.Length);
            }
            else
            {
                best = Follow(scores.ToArray(), boxes.ToArray(), windows, clips, estimate);
                FollowTrace?.Add((best, (BoxF[])estimate.Clone()));
            }
            if (!_cfg.UseCpt || _model.Cpt is null) continue;   // --no-cpt: the template stays T₁
            var mask = _cfg.RegionMask
                ? RegionMask.Build(boxes, scores, _mask)
                : RegionMask.OfBoxes(Tensor.FromArray(dev, best, b, 4), _mask);   // the conventional cycle: a detached box
            var next = new Tensor[hidden.Length];
            for (int l = 0; l < hidden.Length; l++) next[l] = _model.Cpt.Forward(search[l], mask, first[l], hidden[l]);
            hidden = next;
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>
    /// Moves each clip's box estimate as the tracker would (<see cref="SiamesePostProcessing"/>: penalty, cosine window,
    /// size smoothing, clipping) and returns the chosen boxes in crop pixels [B·4] (cx, cy, w, h), their sides kept within
    /// [1, 4 × the crop] for the conventional cycle's box mask. No gradient.
    /// </summary>
    private float[] Follow(float[] scores, float[] boxes, CropWindow[] windows, CycleClip[] clips, BoxF[] estimate)
    {
        int b = windows.Length, k = scores.Length / b;
        var best = new float[b * 4];
        for (int i = 0; i < b; i++)
        {
            var e = estimate[i];
            float scale = windows[i].Size / Math.Abs(windows[i].X2 - windows[i].X1);
            var choice = _post.Pick(scores.AsSpan(i * k, k), boxes.AsSpan(i * k * 4, k * 4), e.W, e.H, scale, _cfg.Tracker.WindowInfluence);
            int o = (i * k + choice.Index) * 4;
            float cx = boxes[o], cy = boxes[o + 1], w = Math.Clamp(boxes[o + 2], 1f, 4f * windows[i].Size), h = Math.Clamp(boxes[o + 3], 1f, 4f * windows[i].Size);
            best[i * 4] = cx; best[i * 4 + 1] = cy; best[i * 4 + 2] = w; best[i * 4 + 3] = h;
            var frame = windows[i].ToFrame(BoxF.FromCentre(cx, cy, w, h));
            var mat = clips[i].Frames[0];
            var (nx, ny, nw, nh) = _post.Step(e.W, e.H, frame.Cx, frame.Cy, frame.W, frame.H, choice, mat.Width, mat.Height);
            estimate[i] = BoxF.FromCentre(nx, ny, nw, nh);
        }
        return best;
    }

    public void Dispose() => _anchors.Dispose();
}
