using System.Diagnostics;
using OpenCvSharp;
using Ulast.Tracker.Anchors;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;

namespace Ulast.Tracker.Tracking;

/// <summary>Milliseconds spent in each part of the last frame.</summary>
public sealed record FrameTiming(double BackboneMs, double HeadMs, double PostMs);

/// <summary>
/// The tracker: template features once at Init; per frame, a search crop around the last position, the RPN, then
/// SiamRPN++'s post-processing (<see cref="SiamesePostProcessing"/>). Its <see cref="TrackerSettings"/> add stages
/// (<see cref="ITrackerStage"/>): ULAST-on's memory template (<see cref="MemoryStage"/>), the discriminative filter [ours]
/// (<see cref="FilterStage"/>), DSST's scale filter [ours] (<see cref="ScaleStage"/>). With a <see cref="LostConfig"/> it
/// reports the target's state and, with Freeze, holds the box and searches the frame while the target is lost [ours].
/// </summary>
public sealed class SiamRpnTracker : IDisposable
{
    private readonly SiameseRpn _model;
    private readonly TrackerConfig _cfg;
    private readonly Tensor _anchors;
    private readonly SiamesePostProcessing _post;
    private readonly List<ITrackerStage> _stages;
    private readonly LostDetector? _lost;
    private List<(float x, float y)>? _scan;
    private int _scanNext;
    private double _apceSum;
    private int _apceCount;
    private TemplateKernels? _kernels;
    private int _frame;
    private float _cx, _cy, _w, _h;
    private float[] _mean = new float[3];

    /// <summary>A tracker with these settings (a preset's, <see cref="TrackerPresets"/>); without, the Siamese tracker alone.</summary>
    public SiamRpnTracker(SiameseRpn model, TrackerSettings? settings = null)
    {
        Settings = settings ?? new TrackerSettings();
        Settings.Validate();
        _model = model;
        _cfg = Settings.Siamese;
        if (Settings.Lost is not null) _lost = new LostDetector(Settings.Lost);
        _stages = Settings.CreateStages(model);
        _anchors = Tensor.PersistentFromArray(model.Device, model.Config.Anchors.Generate(), model.Config.Anchors.Count, 4);
        _post = new SiamesePostProcessing(_cfg, model.Config.Anchors);
        model.Eval();
    }

    public TrackerSettings Settings { get; }
    public FrameTiming LastTiming { get; private set; } = new(0, 0, 0);
    public float LastScore { get; private set; }
    /// <summary>[ours] The target's state in the last frame: always tracking without a <see cref="LostConfig"/>.</summary>
    public TargetState State => _lost?.State ?? TargetState.Tracking;

    /// <summary>
    /// Idle buffer memory worth keeping for a process that only tracks: a frame needs a few MB of fixed-size
    /// buffers, and the region uploaded for each search crop has a size of its own, best not kept at all.
    /// </summary>
    public const long IdleBufferBytes = 256L << 20;
    /// <summary>Entries in ULAST-on's memory (0 offline).</summary>
    public int MemoryCount => _stages.OfType<MemoryStage>().FirstOrDefault()?.Count ?? 0;

    public void Init(Mat frame, BoxF box)
    {
        if (box.InitProblem(frame.Width, frame.Height) is { } problem) throw new ArgumentException($"The initial box: {problem}.");
        (_cx, _cy, _w, _h) = (box.Cx, box.Cy, box.W, box.H);
        _mean = ImageUpload.MeanColour(frame);
        DisposeKernels();
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        var (side, scaleZ, sx) = CropGeometry();
        var z = SiamCrop.Crop(_model.Device, frame, _cx, _cy, side, _model.Config.TemplateSize, _mean);
        var templateFeatures = _model.TemplateFeatures(z);
        var k = _model.Kernels(templateFeatures);
        _kernels = new TemplateKernels(k.Cls.Select(Persistent.Copy).ToArray(), k.Loc.Select(Persistent.Copy).ToArray());
        LastScore = 1f;
        _frame = 0;
        _lost?.Reset();
        _scan = null;
        (_apceSum, _apceCount) = (0, 0);
        var f = new TrackFrame
        {
            Image = frame, Index = 0, MeanColour = _mean, Cx = _cx, Cy = _cy, W = _w, H = _h,
            ScaleZ = scaleZ, SearchSide = sx, TemplateFeatures = templateFeatures,
        };
        foreach (var stage in _stages) stage.Init(f);
    }

    public BoxF Track(Mat frame)
    {
        if (_kernels is null) throw new InvalidOperationException("Track() before Init().");
        if (_lost is not null && _lost.State == TargetState.Lost && _lost.Config.Freeze) return TrackLost(frame);
        var sw = Stopwatch.StartNew();
        var (_, scaleZ, sx) = CropGeometry();
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        var f = new TrackFrame
        {
            Image = frame, Index = _frame + 1, MeanColour = _mean, Cx = _cx, Cy = _cy, W = _w, H = _h,
            ScaleZ = scaleZ, SearchSide = sx, PreviousCx = _cx, PreviousCy = _cy,
        };
        var x = SiamCrop.Crop(_model.Device, frame, _cx, _cy, sx, _model.Config.SearchSize, _mean);
        f.Features = _model.SearchFeatures(x);
        _model.Device.Synchronize();
        double tBackbone = sw.Elapsed.TotalMilliseconds;
        Respond(f);
        double tHead = sw.Elapsed.TotalMilliseconds - tBackbone;
        Step(f);
        if (_lost is not null && _lost.Update(LostSignal(f.Score, f.Response)) == TargetState.Lost && _lost.Config.Freeze)
        {
            // Lost on this frame: the box stays where the target was last seen, and nothing learns from it.
            _frame++;
            LastTiming = new FrameTiming(tBackbone, tHead, sw.Elapsed.TotalMilliseconds - tBackbone - tHead);
            return BoxF.FromCentre(_cx, _cy, _w, _h);
        }
        foreach (var stage in _stages) stage.Size(f);
        (_cx, _cy, _w, _h) = (f.Cx, f.Cy, f.W, f.H);
        _frame++;
        foreach (var stage in _stages) stage.Learn(f);
        LastTiming = new FrameTiming(tBackbone, tHead, sw.Elapsed.TotalMilliseconds - tBackbone - tHead);
        return BoxF.FromCentre(_cx, _cy, _w, _h);
    }

    /// <summary>The head on the frame's features: every anchor's score (the stages' responses mixed in) and decoded box.</summary>
    private void Respond(TrackFrame f)
    {
        f.Halves = _model.Halves(f.Features);
        f.Loc = _model.Loc(_kernels!, f.Halves);
        f.Scores = Sigmoid(_model.Cls(_kernels!, f.Halves).ToArray());
        foreach (var stage in _stages) stage.Score(f);
        f.Decoded = BoxOps.Decode(f.Loc, _anchors, _model.Config.Anchors.PerCell);
        f.Boxes = f.Decoded.ToArray();
    }

    /// <summary>SiamRPN++'s choice of anchor and step to it, the stages refining the centre; sets the frame's box and the score.</summary>
    private void Step(TrackFrame f)
    {
        var boxes = f.Boxes;
        f.Choice = _post.Pick(f.Scores, boxes, f.W, f.H, f.ScaleZ, _cfg.WindowInfluence);
        int best = f.Choice.Index;
        // NaN scores never win the comparison: a network whose output overflowed would otherwise report anchor 0.
        if (!float.IsFinite(f.Choice.Mixed) || !float.IsFinite(boxes[best * 4]) || !float.IsFinite(boxes[best * 4 + 2]) || !float.IsFinite(boxes[best * 4 + 3]))
            throw new BadDataException($"The network's output is not finite at frame {f.Index}: its weights overflow float32 on this frame (the checkpoint is corrupt or diverged in training).");
        float bx = boxes[best * 4], by = boxes[best * 4 + 1];
        foreach (var stage in _stages) (bx, by) = stage.Centre(f, bx, by);
        float centre = _model.Config.Anchors.Centre;
        float dx = (bx - centre) / f.ScaleZ, dy = (by - centre) / f.ScaleZ;
        (f.Cx, f.Cy, f.W, f.H) = _post.Step(f.W, f.H, f.Cx + dx, f.Cy + dy, boxes[best * 4 + 2] / f.ScaleZ, boxes[best * 4 + 3] / f.ScaleZ, f.Choice, f.Image.Width, f.Image.Height);
        LastScore = f.Score;
    }

    internal static float[] Sigmoid(float[] logits)
    {
        var p = new float[logits.Length];
        for (int i = 0; i < p.Length; i++) p[i] = 1f / (1f + MathF.Exp(-logits[i]));
        return p;
    }

    /// <summary>
    /// The crops around the current box (SiamRPN++): the template's side in frame pixels (the box with context), the
    /// scale (crop pixels per frame pixel), and the search crop's side (the template's times 255/127).
    /// </summary>
    private (float TemplateSide, float ScaleZ, float SearchSide) CropGeometry()
    {
        float sz = SiamCrop.TemplateSide(_w, _h, _cfg.Context);
        return (sz, _model.Config.TemplateSize / sz, sz * _model.Config.SearchSize / _model.Config.TemplateSize);
    }

    /// <summary>
    /// [ours] The value the lost detector reads (<see cref="LostConfig.Signal"/>): the score, or the filter response's APCE
    /// |max − min|² / mean((r − min)²) over the sequence's mean APCE so far, halved and clipped to [0, 1], or the larger of both.
    /// </summary>
    private float LostSignal(float score, float[]? response)
    {
        var signal = _lost!.Config.Signal;
        if (signal == "score" || response is null) return score;
        float max = response.Max(), min = response.Min();
        double energy = 0;
        foreach (var r in response) energy += (r - min) * (r - min);
        energy /= response.Length;
        double apce = energy > 0 ? (max - min) * (max - min) / energy : 0;
        double mean = _apceCount == 0 ? apce : _apceSum / _apceCount;
        if (_lost.State != TargetState.Lost) { _apceSum += apce; _apceCount++; }
        float relative = mean > 0 ? (float)Math.Clamp(0.5 * apce / mean, 0, 1) : 0.5f;
        return signal == "apce" ? relative : MathF.Max(score, relative);
    }

    /// <summary>
    /// [ours] A frame while the target is lost: the box held, nothing learns. A search crop at the held position and, with
    /// re-detection, crops further out over the frame (nearest first, a few per frame), all without the cosine window;
    /// the best anchor above the found threshold brings the target back there.
    /// </summary>
    private BoxF TrackLost(Mat frame)
    {
        var sw = Stopwatch.StartNew();
        _frame++;
        float best = 0f, bx = _cx, by = _cy;
        var (_, scaleZ, sx) = CropGeometry();
        var config = _lost!.Config;
        // The crop at the held position always; with re-detection, the next crops of a scan over the frame too.
        var centres = new List<(float x, float y)> { (_cx, _cy) };
        if (config.Redetect)
        {
            _scan ??= ScanCentres(frame.Width, frame.Height, sx);
            for (int i = 0; i < config.CropsPerFrame - 1 && _scan.Count > 0; i++) centres.Add(_scan[_scanNext++ % _scan.Count]);
        }
        float centre = _model.Config.Anchors.Centre;
        foreach (var (cx, cy) in centres)
        {
            using var scope = new TensorScope();
            using var ng = GradMode.NoGrad();
            var f = new TrackFrame { Image = frame, Index = _frame, MeanColour = _mean, Cx = cx, Cy = cy, W = _w, H = _h, ScaleZ = scaleZ, SearchSide = sx, Lost = true };
            f.Features = _model.SearchFeatures(SiamCrop.Crop(_model.Device, frame, cx, cy, sx, _model.Config.SearchSize, _mean));
            Respond(f);
            var (k, _, _, raw) = _post.Pick(f.Scores, f.Boxes, _w, _h, scaleZ, windowInfluence: 0f);
            if (raw > best) (best, bx, by) = (raw, cx + (f.Boxes[k * 4] - centre) / scaleZ, cy + (f.Boxes[k * 4 + 1] - centre) / scaleZ);
        }
        LastScore = best;
        if (_lost.Found(best) != TargetState.Lost)
        {
            _cx = Math.Clamp(bx, 0, frame.Width);
            _cy = Math.Clamp(by, 0, frame.Height);
            _scan = null;
            _scanNext = 0;
        }
        LastTiming = new FrameTiming(sw.Elapsed.TotalMilliseconds, 0, 0);
        return BoxF.FromCentre(_cx, _cy, _w, _h);
    }

    /// <summary>Search-crop centres covering the frame at three quarters of a crop apart, nearest the held position first.</summary>
    private List<(float x, float y)> ScanCentres(int width, int height, float side)
    {
        static float[] Axis(int length, float side)
        {
            if (length <= side) return new[] { length / 2f };
            int n = (int)MathF.Ceiling((length - side) / (0.75f * side)) + 1;
            return Enumerable.Range(0, n).Select(i => side / 2 + i * (length - side) / (n - 1)).ToArray();
        }
        var xs = Axis(width, side);
        var ys = Axis(height, side);
        float cx = _cx, cy = _cy;
        return xs.SelectMany(x => ys.Select(y => (x, y))).OrderBy(c => (c.x - cx) * (c.x - cx) + (c.y - cy) * (c.y - cy)).ToList();
    }

    private void DisposeKernels()
    {
        if (_kernels is not null) foreach (var t in _kernels.Cls.Concat(_kernels.Loc)) t.Dispose();
        _kernels = null;
    }

    public void Dispose()
    {
        DisposeKernels();
        foreach (var stage in _stages) stage.Dispose();
        _anchors.Dispose();
    }
}
