using System.Diagnostics;
using OpenCvSharp;

namespace Ulast.Tracker;

/// <summary>Milliseconds spent in each part of the last frame.</summary>
public sealed record FrameTiming(double BackboneMs, double HeadMs, double PostMs);

/// <summary>
/// The offline tracker (ULAST-off, which "runs like SiamRPN"): template features once at Init; per frame,
/// a search crop around the last position, the RPN, then SiamRPN++'s post-processing — scale/ratio
/// penalty, cosine window, size smoothing, clipping to the frame. With an <see cref="OnlineConfig"/> it is
/// ULAST-on: confident frames' search features and region masks enter a <see cref="MemoryQueue{T}"/>, the
/// CPT turns them into a memory template, and its classification response is mixed with the initial one.
/// With a <see cref="FilterConfig"/> [ours] a <see cref="DiscriminativeFilter"/> learned online on the search features
/// adds its response to every anchor's score.
/// </summary>
public sealed class SiamRpnTracker : IDisposable
{
    private readonly SiameseRpn _model;
    private readonly TrackerConfig _cfg;
    private readonly Tensor _anchors;
    private readonly SiamesePostProcessing _post;
    private readonly OnlineConfig? _online;
    private readonly RegionMaskConfig _maskConfig;
    private readonly MemoryQueue<MemoryEntry>? _memory;
    private readonly DiscriminativeFilter? _filter;
    private readonly ScaleFilter? _scale;
    private readonly LostDetector? _lost;
    private List<(float x, float y)>? _scan;
    private int _scanNext;
    private double _apceSum;
    private int _apceCount;
    private readonly Mat _grey = new();
    private TemplateKernels? _kernels, _memoryKernels;
    private Tensor[]? _first;
    private int _frame;
    private float _cx, _cy, _w, _h;
    private float[] _mean = new float[3];

    /// <summary>A tracker with these settings (a preset's, <see cref="TrackerPresets"/>); without, the Siamese tracker alone.</summary>
    public SiamRpnTracker(SiameseRpn model, TrackerSettings? settings = null)
    {
        Settings = settings ?? new TrackerSettings();
        Settings.Validate();
        var (online, filter, lost) = (Settings.Online, Settings.Filter, Settings.Lost);
        if (lost is not null) _lost = new LostDetector(lost);
        _model = model;
        _cfg = Settings.Siamese;
        _online = online;
        _maskConfig = new RegionMaskConfig { CropSize = model.Config.SearchSize };
        if (online is not null)
        {
            online.Validate();
            if (model.Cpt is null) throw new ArgumentException("Online tracking builds its memory template with the CPT module, and this model has none (model config \"cpt\": false).");
            _memory = new MemoryQueue<MemoryEntry>(online.Capacity, online.UpdateInterval, online.MinScore);
        }
        if (filter is not null) _filter = new DiscriminativeFilter(model.Device, filter, model.Config.Channels, model.Config.Anchors);
        if (Settings.Scale is not null) _scale = new ScaleFilter(Settings.Scale);
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
    /// <summary>Entries in the online memory (0 offline).</summary>
    public int MemoryCount => _memory?.Count ?? 0;

    /// <summary>One memory entry: the neck features of a search crop [1,C,31,31] per level and its region mask [1,31,31].</summary>
    private sealed record MemoryEntry(Tensor[] Features, Tensor Mask) : IDisposable
    {
        public void Dispose()
        {
            foreach (var f in Features) f.Dispose();
            Mask.Dispose();
        }
    }

    public void Init(Mat frame, BoxF box)
    {
        if (box.InitProblem(frame.Width, frame.Height) is { } problem) throw new ArgumentException($"The initial box: {problem}.");
        (_cx, _cy, _w, _h) = (box.Cx, box.Cy, box.W, box.H);
        _mean = ImageUpload.MeanColour(frame);
        DisposeKernels();
        var dev = _model.Device;
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        float side = SiamCrop.TemplateSide(_w, _h, _cfg.Context);
        var z = SiamCrop.Crop(dev, frame, _cx, _cy, side, _model.Config.TemplateSize, _mean);
        var templateFeatures = _model.TemplateFeatures(z);
        var k = _model.Kernels(templateFeatures);
        _kernels = new TemplateKernels(k.Cls.Select(Persist).ToArray(), k.Loc.Select(Persist).ToArray());
        LastScore = 1f;
        _frame = 0;
        _lost?.Reset();
        _scan = null;
        (_apceSum, _apceCount) = (0, 0);
        if (_filter is not null) InitFilter(frame, side);
        _scale?.Init(Grey(frame), _cx, _cy, _w, _h);
        if (_memory is null) return;
        // The first memory entry: a search crop around the initial box, masked by that box (score 1).
        _first = templateFeatures.Select(Persist).ToArray();
        float scaleZ = _model.Config.TemplateSize / side;
        var x = SiamCrop.Crop(dev, frame, _cx, _cy, side * _model.Config.SearchSize / _model.Config.TemplateSize, _model.Config.SearchSize, _mean);
        float centre = _model.Config.Anchors.Centre;
        var boxInCrop = Tensor.FromArray(dev, new[] { centre, centre, _w * scaleZ, _h * scaleZ }, 1, 4);
        _memory.Reset(new MemoryEntry(_model.SearchFeatures(x).Select(Persist).ToArray(), Persist(RegionMask.OfBoxes(boxInCrop, _maskConfig))));
        RebuildMemoryTemplate();
    }

    /// <summary>The filter's first samples: the search crop on the initial box and, with InitShifts, four crops moved by two cells.</summary>
    private void InitFilter(Mat frame, float side)
    {
        _filter!.Reset();
        float sx = side * _model.Config.SearchSize / _model.Config.TemplateSize, scale = _model.Config.SearchSize / sx;
        float centre = _model.Config.Anchors.Centre, d = 2f * _model.Config.Anchors.Stride;
        var shifts = new List<(float dx, float dy)> { (0, 0) };
        if (_filter.Config.InitShifts == 4) shifts.AddRange(new[] { (d, 0f), (-d, 0f), (0f, d), (0f, -d) });
        foreach (var (dx, dy) in shifts)
        {
            // The window moves by (dx, dy) crop pixels, so the target sits that much the other way in the crop.
            using var scope = new TensorScope();
            using var ng = GradMode.NoGrad();
            var x = SiamCrop.Crop(_model.Device, frame, _cx + dx / scale, _cy + dy / scale, sx, _model.Config.SearchSize, _mean);
            _filter.Add(_model.SearchFeatures(x)[0], centre - dx, centre - dy, first: true);
        }
        _filter.Learn(_filter.Config.InitIterations);
    }

    /// <summary>T_M: the CPT run over the queue from the first template, H ← CPT(S_q ⊗ M_q, T₁, H), oldest entry first.</summary>
    private void RebuildMemoryTemplate()
    {
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        var hidden = _first!;
        foreach (var entry in _memory!.Items)
            hidden = hidden.Select((h, l) => _model.Cpt!.Forward(entry.Features[l], entry.Mask, _first![l], h)).ToArray();
        var k = _model.Kernels(hidden);
        DisposeMemoryKernels();
        _memoryKernels = new TemplateKernels(k.Cls.Select(Persist).ToArray(), _online!.MemoryRegression ? k.Loc.Select(Persist).ToArray() : Array.Empty<Tensor>());
    }

    private static Tensor Persist(Tensor t)
    {
        var p = Tensor.EmptyPersistent(t.Device, t.Shape);
        p.CopyFrom(t);
        return p;
    }

    public BoxF Track(Mat frame)
    {
        if (_kernels is null) throw new InvalidOperationException("Track() before Init().");
        if (_lost is not null && _lost.State == TargetState.Lost && _lost.Config.Freeze) return TrackLost(frame);
        var dev = _model.Device;
        var sw = Stopwatch.StartNew();
        double tBackbone, tHead;
        var (scaleZ, sx) = CropScale();
        BoxF result;
        bool rebuild = false;
        using (var scope = new TensorScope())
        using (GradMode.NoGrad())
        {
            var x = SiamCrop.Crop(dev, frame, _cx, _cy, sx, _model.Config.SearchSize, _mean);
            var xf = _model.SearchFeatures(x);
            dev.Synchronize();
            tBackbone = sw.Elapsed.TotalMilliseconds;
            var halves = _model.Halves(xf);
            var l = _model.Loc(_kernels, halves);
            var scores = Sigmoid(_model.Cls(_kernels, halves).ToArray());
            if (_memoryKernels is not null)
            {
                // R = (1 − λm)·R^L + λm·R^M on probabilities; the boxes stay with T₁ unless MemoryRegression.
                float lm = _online!.LambdaM;
                var memory = Sigmoid(_model.Cls(_memoryKernels, halves).ToArray());
                for (int i = 0; i < scores.Length; i++) scores[i] = (1 - lm) * scores[i] + lm * memory[i];
                if (_online.MemoryRegression)
                    l = Ops.Add(Ops.MulScalar(l, 1 - lm), Ops.MulScalar(_model.Loc(_memoryKernels, halves), lm));
            }
            float[]? response = MixFilter(scores, xf[0]);
            var decoded = BoxOps.Decode(l, _anchors, _model.Config.Anchors.PerCell);
            var boxes = decoded.ToArray();
            tHead = sw.Elapsed.TotalMilliseconds - tBackbone;
            float cx0 = _cx, cy0 = _cy, w0 = _w, h0 = _h;
            result = PostProcess(scores, boxes, scaleZ, frame.Width, frame.Height, response);
            if (_lost is not null && _lost.Update(LostSignal(LastScore, response)) == TargetState.Lost && _lost.Config.Freeze)
            {
                // Lost on this frame: the box stays where the target was last seen, and nothing learns from it.
                (_cx, _cy, _w, _h) = (cx0, cy0, w0, h0);
                _frame++;
                LastTiming = new FrameTiming(tBackbone, tHead, sw.Elapsed.TotalMilliseconds - tBackbone - tHead);
                return BoxF.FromCentre(_cx, _cy, _w, _h);
            }
            if (_scale is not null) result = ScaleStep(frame);
            _frame++;
            if (_filter is not null && _frame % _filter.Config.UpdateInterval == 0 && LastScore >= _filter.Config.MinScore)
            {
                float centre = _model.Config.Anchors.Centre;
                _filter.Add(xf[0], centre + (_cx - cx0) * scaleZ, centre + (_cy - cy0) * scaleZ, first: false);
                _filter.Learn(_filter.Config.UpdateIterations);
            }
            if (_memory is not null && _memory.Admits(_frame, LastScore))
            {
                int k = scores.Length;
                var mask = RegionMask.Build(decoded.Reshape(1, k, 4), Tensor.FromArray(dev, scores, 1, k), _maskConfig);
                _memory.Add(_frame, new MemoryEntry(xf.Select(Persist).ToArray(), Persist(mask)));
                rebuild = true;
            }
        }
        if (rebuild) RebuildMemoryTemplate();
        LastTiming = new FrameTiming(tBackbone, tHead, sw.Elapsed.TotalMilliseconds - tBackbone - tHead);
        return result;
    }

    /// <summary>[ours] The size from the scale filter at the tracked centre, then the filter learns there.</summary>
    private BoxF ScaleStep(Mat frame)
    {
        var grey = Grey(frame);
        float scale = _scale!.Estimate(grey, _cx, _cy);
        // The regression's aspect (PostProcess has just smoothed _w, _h towards it) or the first box's.
        float w0 = _scale.BaseWidth, h0 = _scale.BaseHeight;
        float aspect = _scale.Config.RegressedAspect ? _w / _h : w0 / h0, area = w0 * h0 * scale * scale;
        _w = Math.Clamp(MathF.Sqrt(area * aspect), MathF.Min(_cfg.MinSize, frame.Width), frame.Width);
        _h = Math.Clamp(MathF.Sqrt(area / aspect), MathF.Min(_cfg.MinSize, frame.Height), frame.Height);
        if (LastScore >= _scale.Config.MinScore) _scale.Update(grey, _cx, _cy);
        return BoxF.FromCentre(_cx, _cy, _w, _h);
    }

    private Mat Grey(Mat frame)
    {
        if (frame.Channels() == 1) return frame;
        Cv2.CvtColor(frame, _grey, frame.Channels() == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
        return _grey;
    }

    private static float[] Sigmoid(float[] logits)
    {
        var p = new float[logits.Length];
        for (int i = 0; i < p.Length; i++) p[i] = 1f / (1f + MathF.Exp(-logits[i]));
        return p;
    }

    private BoxF PostProcess(float[] scores, float[] boxes, float scaleZ, int frameW, int frameH, float[]? response)
    {
        var choice = _post.Pick(scores, boxes, _w, _h, scaleZ, _cfg.WindowInfluence);
        var (best, bestScore) = (choice.Index, choice.Mixed);
        // NaN scores never win the comparison above: a network whose output overflowed would otherwise report anchor 0.
        if (!float.IsFinite(bestScore) || !float.IsFinite(boxes[best * 4]) || !float.IsFinite(boxes[best * 4 + 2]) || !float.IsFinite(boxes[best * 4 + 3]))
            throw new BadDataException($"The network's output is not finite at frame {_frame + 1}: its weights overflow float32 on this frame (the checkpoint is corrupt or diverged in training).");
        float centre = _model.Config.Anchors.Centre;
        float bx = boxes[best * 4], by = boxes[best * 4 + 1];
        float alpha = _filter?.Config.PositionWeight ?? 0f;
        if (alpha > 0 && response is not null)
        {
            var (rx, ry) = ResponsePeak.Near(response, best, _model.Config.Anchors);
            (bx, by) = ((1 - alpha) * bx + alpha * rx, (1 - alpha) * by + alpha * ry);
        }
        float dx = (bx - centre) / scaleZ, dy = (by - centre) / scaleZ;
        (_cx, _cy, _w, _h) = _post.Step(_w, _h, _cx + dx, _cy + dy, boxes[best * 4 + 2] / scaleZ, boxes[best * 4 + 3] / scaleZ, choice, frameW, frameH);
        LastScore = choice.Raw;
        return BoxF.FromCentre(_cx, _cy, _w, _h);
    }

    /// <summary>
    /// The template crop's scale (crop pixels per frame pixel) and the search crop's side in frame pixels, around the
    /// current box (SiamRPN++: the template side with context, times 255/127 for the search region).
    /// </summary>
    private (float ScaleZ, float SearchSide) CropScale()
    {
        float sz = SiamCrop.TemplateSide(_w, _h, _cfg.Context);
        return (_model.Config.TemplateSize / sz, sz * _model.Config.SearchSize / _model.Config.TemplateSize);
    }

    /// <summary>
    /// With the discriminative filter, s = (1 − β)·p + β·r in place: the filter's response of a cell goes to each of its
    /// anchors. Returns the response (null without the filter).
    /// </summary>
    private float[]? MixFilter(float[] scores, Tensor searchFeatures)
    {
        if (_filter is null) return null;
        var response = _filter.Response(searchFeatures);
        float beta = _filter.Config.Weight;
        for (int i = 0; i < scores.Length; i++) scores[i] = (1 - beta) * scores[i] + beta * response[i % response.Length];
        return response;
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
        var (scaleZ, sx) = CropScale();
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
            var x = SiamCrop.Crop(_model.Device, frame, cx, cy, sx, _model.Config.SearchSize, _mean);
            var xf = _model.SearchFeatures(x);
            var halves = _model.Halves(xf);
            var scores = Sigmoid(_model.Cls(_kernels!, halves).ToArray());
            MixFilter(scores, xf[0]);
            var boxes = BoxOps.Decode(_model.Loc(_kernels!, halves), _anchors, _model.Config.Anchors.PerCell).ToArray();
            var (k, _, _, raw) = _post.Pick(scores, boxes, _w, _h, scaleZ, windowInfluence: 0f);
            if (raw > best) (best, bx, by) = (raw, cx + (boxes[k * 4] - centre) / scaleZ, cy + (boxes[k * 4 + 1] - centre) / scaleZ);
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
        if (_first is not null) foreach (var t in _first) t.Dispose();
        _first = null;
        DisposeMemoryKernels();
    }

    private void DisposeMemoryKernels()
    {
        if (_memoryKernels is not null) foreach (var t in _memoryKernels.Cls.Concat(_memoryKernels.Loc)) t.Dispose();
        _memoryKernels = null;
    }

    public void Dispose()
    {
        DisposeKernels();
        _memory?.Dispose();
        _filter?.Dispose();
        _grey.Dispose();
        _anchors.Dispose();
    }
}
