using Ulast.Tracker.Model;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// ULAST-on (§8): confident frames' search features and region masks enter a <see cref="MemoryQueue{T}"/>, the CPT turns
/// them into a memory template, and its classification response is mixed with the initial template's,
/// R = (1 − λm)·R^L + λm·R^M on probabilities (the boxes stay with T₁ unless <see cref="OnlineConfig.MemoryRegression"/>).
/// </summary>
public sealed class MemoryStage : ITrackerStage
{
    private readonly SiameseRpn _model;
    private readonly OnlineConfig _cfg;
    private readonly RegionMaskConfig _maskConfig;
    private readonly MemoryQueue<MemoryEntry> _memory;
    private Tensor[]? _first;
    private TemplateKernels? _kernels;

    public MemoryStage(SiameseRpn model, OnlineConfig config)
    {
        if (model.Cpt is null) throw new ArgumentException("Online tracking builds its memory template with the CPT module, and this model has none (model config \"cpt\": false).");
        _model = model;
        _cfg = config;
        _maskConfig = new RegionMaskConfig { CropSize = model.Config.SearchSize };
        _memory = new MemoryQueue<MemoryEntry>(config.Capacity, config.UpdateInterval, config.MinScore);
    }

    /// <summary>Entries in the memory.</summary>
    public int Count => _memory.Count;

    /// <summary>One memory entry: the neck features of a search crop [1,C,31,31] per level and its region mask [1,31,31].</summary>
    private sealed record MemoryEntry(Tensor[] Features, Tensor Mask) : IDisposable
    {
        public void Dispose()
        {
            foreach (var f in Features) f.Dispose();
            Mask.Dispose();
        }
    }

    /// <summary>The first memory entry: a search crop around the initial box, masked by that box (score 1).</summary>
    public void Init(TrackFrame f)
    {
        DisposeTemplates();
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        _first = f.TemplateFeatures.Select(Persistent.Copy).ToArray();
        var c = _model.Config;
        var x = SiamCrop.Crop(_model.Device, f.Image, f.Cx, f.Cy, f.SearchSide, c.SearchSize, f.MeanColour);
        float centre = c.Anchors.Centre;
        var boxInCrop = Tensor.FromArray(_model.Device, new[] { centre, centre, f.W * f.ScaleZ, f.H * f.ScaleZ }, 1, 4);
        _memory.Reset(new MemoryEntry(_model.SearchFeatures(x).Select(Persistent.Copy).ToArray(), Persistent.Copy(RegionMask.OfBoxes(boxInCrop, _maskConfig))));
        Rebuild();
    }

    public void Score(TrackFrame f)
    {
        if (f.Lost || _kernels is null) return;   // a lost frame searches with the first template alone
        float lm = _cfg.LambdaM;
        var memory = SiamRpnTracker.Sigmoid(_model.Cls(_kernels, f.Halves!).ToArray());
        for (int i = 0; i < f.Scores.Length; i++) f.Scores[i] = (1 - lm) * f.Scores[i] + lm * memory[i];
        if (_cfg.MemoryRegression)
            f.Loc = Ops.Add(Ops.MulScalar(f.Loc!, 1 - lm), Ops.MulScalar(_model.Loc(_kernels, f.Halves!), lm));
    }

    /// <summary>A confident frame, every UpdateInterval frames, enters the queue with its region mask; the template is rebuilt.</summary>
    public void Learn(TrackFrame f)
    {
        if (!_memory.Admits(f.Index, f.Score)) return;
        int k = f.Scores.Length;
        var mask = RegionMask.Build(f.Decoded!.Reshape(1, k, 4), Tensor.FromArray(_model.Device, f.Scores, 1, k), _maskConfig);
        _memory.Add(f.Index, new MemoryEntry(f.Features.Select(Persistent.Copy).ToArray(), Persistent.Copy(mask)));
        Rebuild();
    }

    /// <summary>T_M: the CPT run over the queue from the first template, H ← CPT(S_q ⊗ M_q, T₁, H), oldest entry first.</summary>
    private void Rebuild()
    {
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        var hidden = _first!;
        foreach (var entry in _memory.Items)
            hidden = hidden.Select((h, l) => _model.Cpt!.Forward(entry.Features[l], entry.Mask, _first![l], h)).ToArray();
        var k = _model.Kernels(hidden);
        DisposeKernels();
        _kernels = new TemplateKernels(k.Cls.Select(Persistent.Copy).ToArray(), _cfg.MemoryRegression ? k.Loc.Select(Persistent.Copy).ToArray() : Array.Empty<Tensor>());
    }

    private void DisposeKernels()
    {
        if (_kernels is not null) foreach (var t in _kernels.Cls.Concat(_kernels.Loc)) t.Dispose();
        _kernels = null;
    }

    private void DisposeTemplates()
    {
        if (_first is not null) foreach (var t in _first) t.Dispose();
        _first = null;
        DisposeKernels();
    }

    public void Dispose()
    {
        DisposeTemplates();
        _memory.Dispose();
    }
}
