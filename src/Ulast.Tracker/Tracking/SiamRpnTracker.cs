using System.Diagnostics;
using OpenCvSharp;

namespace Ulast.Tracker;

/// <summary>Milliseconds spent in each part of the last frame.</summary>
public sealed record FrameTiming(double BackboneMs, double HeadMs, double PostMs);

/// <summary>
/// The offline tracker (ULAST-off, which "runs like SiamRPN"): template features once at Init; per frame,
/// a search crop around the last position, the RPN, then SiamRPN++'s post-processing — scale/ratio
/// penalty, cosine window, size smoothing, clipping to the frame.
/// </summary>
public sealed class SiamRpnTracker : IDisposable
{
    private readonly SiameseRpn _model;
    private readonly TrackerConfig _cfg;
    private readonly Tensor _anchors;
    private readonly float[] _window;
    private TemplateKernels? _kernels;
    private float _cx, _cy, _w, _h;
    private float[] _mean = new float[3];

    public SiamRpnTracker(SiameseRpn model, TrackerConfig? config = null)
    {
        _model = model;
        _cfg = config ?? new TrackerConfig();
        _anchors = Tensor.PersistentFromArray(model.Device, model.Config.Anchors.Generate(), model.Config.Anchors.Count, 4);
        int n = model.Config.Anchors.ScoreSize;
        var hann = Enumerable.Range(0, n).Select(i => 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (n - 1))).ToArray();
        _window = new float[model.Config.Anchors.Count];
        for (int k = 0; k < _window.Length; k++) { int q = k % (n * n); _window[k] = (float)(hann[q / n] * hann[q % n]); }
        model.Eval();
    }

    public FrameTiming LastTiming { get; private set; } = new(0, 0, 0);
    public float LastScore { get; private set; }

    public void Init(Mat frame, BoxF box)
    {
        if (!box.IsValid) throw new ArgumentException($"The initial box {box} is not a valid box (positive width and height).");
        if (box.Right <= 0 || box.Bottom <= 0 || box.X >= frame.Width || box.Y >= frame.Height)
            throw new ArgumentException($"The initial box {box} lies outside the {frame.Width}×{frame.Height} frame.");
        (_cx, _cy, _w, _h) = (box.Cx, box.Cy, box.W, box.H);
        _mean = ImageUpload.MeanColour(frame);
        DisposeKernels();
        var dev = _model.Device;
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        float side = SiamCrop.TemplateSide(_w, _h, _cfg.Context);
        var z = SiamCrop.Crop(dev, frame, _cx, _cy, side, _model.Config.TemplateSize, _mean);
        var k = _model.Kernels(_model.TemplateFeatures(z));
        _kernels = new TemplateKernels(k.Cls.Select(Persist).ToArray(), k.Loc.Select(Persist).ToArray());
        LastScore = 1f;
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
        var dev = _model.Device;
        var sw = Stopwatch.StartNew();
        float[] cls, boxes;
        double tBackbone, tHead;
        float sz = SiamCrop.TemplateSide(_w, _h, _cfg.Context);
        float scaleZ = _model.Config.TemplateSize / sz;
        float sx = sz * _model.Config.SearchSize / _model.Config.TemplateSize;
        using (var scope = new TensorScope())
        using (GradMode.NoGrad())
        {
            var x = SiamCrop.Crop(dev, frame, _cx, _cy, sx, _model.Config.SearchSize, _mean);
            var xf = _model.SearchFeatures(x);
            dev.Synchronize();
            tBackbone = sw.Elapsed.TotalMilliseconds;
            var (c, l) = _model.Head(_kernels, xf);
            var decoded = BoxOps.Decode(l, _anchors, _model.Config.Anchors.PerCell);
            cls = c.ToArray();
            boxes = decoded.ToArray();
            tHead = sw.Elapsed.TotalMilliseconds - tBackbone;
        }
        var result = PostProcess(cls, boxes, scaleZ, frame.Width, frame.Height);
        LastTiming = new FrameTiming(tBackbone, tHead, sw.Elapsed.TotalMilliseconds - tBackbone - tHead);
        return result;
    }

    private static float Change(float r) => MathF.Max(r, 1f / r);

    private static float SizeWithPad(float w, float h)
    {
        float pad = (w + h) * 0.5f;
        return MathF.Sqrt((w + pad) * (h + pad));
    }

    private BoxF PostProcess(float[] logits, float[] boxes, float scaleZ, int frameW, int frameH)
    {
        int k = logits.Length;
        float targetSz = SizeWithPad(_w * scaleZ, _h * scaleZ), targetRatio = _w / _h;
        int best = 0;
        float bestScore = float.NegativeInfinity, bestPenalty = 1f, bestRaw = 0f;
        for (int i = 0; i < k; i++)
        {
            float score = 1f / (1f + MathF.Exp(-logits[i]));
            float w = boxes[i * 4 + 2], h = boxes[i * 4 + 3];
            float sc = Change(SizeWithPad(w, h) / targetSz), rc = Change(targetRatio / (w / h));
            float penalty = MathF.Exp(-(rc * sc - 1f) * _cfg.PenaltyK);
            float p = penalty * score * (1f - _cfg.WindowInfluence) + _window[i] * _cfg.WindowInfluence;
            if (p > bestScore) { bestScore = p; best = i; bestPenalty = penalty; bestRaw = score; }
        }
        float centre = _model.Config.Anchors.Centre;
        float dx = (boxes[best * 4] - centre) / scaleZ, dy = (boxes[best * 4 + 1] - centre) / scaleZ;
        float bw = boxes[best * 4 + 2] / scaleZ, bh = boxes[best * 4 + 3] / scaleZ;
        float lr = bestPenalty * bestRaw * _cfg.Lr;
        _cx = Math.Clamp(_cx + dx, 0, frameW);
        _cy = Math.Clamp(_cy + dy, 0, frameH);
        _w = Math.Clamp(_w * (1 - lr) + bw * lr, _cfg.MinSize, frameW);
        _h = Math.Clamp(_h * (1 - lr) + bh * lr, _cfg.MinSize, frameH);
        LastScore = bestRaw;
        return BoxF.FromCentre(_cx, _cy, _w, _h);
    }

    private void DisposeKernels()
    {
        if (_kernels is null) return;
        foreach (var t in _kernels.Cls.Concat(_kernels.Loc)) t.Dispose();
        _kernels = null;
    }

    public void Dispose()
    {
        DisposeKernels();
        _anchors.Dispose();
    }
}
