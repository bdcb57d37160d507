using Ulast.Autograd.Modules;

namespace Ulast.Tracker.Model;

/// <summary>Per-level template kernels of the RPN heads, computed once per template.</summary>
public sealed record TemplateKernels(Tensor[] Cls, Tensor[] Loc);

/// <summary>Per-level search halves of the RPN heads (conv3×3+BN+ReLU of the search features), independent of the template.</summary>
public sealed record SearchHalves(Tensor[] Cls, Tensor[] Loc);

/// <summary>
/// The Siamese RPN of ULAST §2: backbone → neck (1×1 conv + BN per level, template centre-cropped to 7×7)
/// → depthwise RPN per level → classification [B, A, 25, 25] and deltas [B, 4A, 25, 25]; with several
/// levels (resnet50, resnet18 with layers 2 and 3) the outputs are fused by learned softmax weights.
/// </summary>
public sealed class SiameseRpn : Module
{
    private readonly SmallBackbone? _small;
    private readonly ResNet50? _resnet;
    private readonly ResNet18? _resnet18;
    private readonly ConvBn[] _necks;
    private readonly DepthwiseRpn[] _heads;
    private readonly Tensor? _clsWeight, _locWeight;

    public SiameseRpn(Device device, ModelConfig config)
    {
        config.Validate();
        Config = config;
        Device = device;
        var rng = new Random(config.Seed);
        int[] levelChannels;
        if (config.Backbone == "small")
        {
            _small = RegisterModule("backbone", new SmallBackbone(device, config.Width / 2, rng));
            levelChannels = new[] { _small.OutChannels };
        }
        else if (config.Backbone == "resnet18")
        {
            _resnet18 = RegisterModule("backbone", new ResNet18(device, config.Width, config.ResNet18Layers, rng));
            levelChannels = _resnet18.OutChannels;
        }
        else
        {
            _resnet = RegisterModule("backbone", new ResNet50(device, config.Width, rng));
            levelChannels = _resnet.OutChannels;
        }
        _necks = new ConvBn[levelChannels.Length];
        _heads = new DepthwiseRpn[levelChannels.Length];
        for (int l = 0; l < levelChannels.Length; l++)
        {
            _necks[l] = RegisterModule($"neck.{l}", new ConvBn(device, levelChannels[l], config.Channels, 1, rng, relu: false));
            _heads[l] = RegisterModule($"rpn.{l}", new DepthwiseRpn(device, config.Channels, config.Anchors.PerCell, rng));
        }
        if (config.Cpt) Cpt = RegisterModule("cpt", new Cpt(device, config.Channels, rng, config.CptResidual));
        if (levelChannels.Length > 1)
        {
            _clsWeight = RegisterParameter("cls_weight", Tensor.PersistentFromArray(device, new float[levelChannels.Length], 1, levelChannels.Length));
            _locWeight = RegisterParameter("loc_weight", Tensor.PersistentFromArray(device, new float[levelChannels.Length], 1, levelChannels.Length));
        }
    }

    public ModelConfig Config { get; }
    /// <summary>The consistency propagation transformation, shared by every feature level; null when the config has none.</summary>
    public Cpt? Cpt { get; }
    public Device Device { get; }
    public int Levels => _necks.Length;
    /// <summary>The resnet18 backbone (for the ImageNet import), or null.</summary>
    public ResNet18? ResNet18Backbone => _resnet18;

    /// <param name="grad">False: the backbone runs without recording gradients (its BatchNorm statistics still update in training mode).</param>
    private Tensor[] Backbone(Tensor x, bool grad = true)
    {
        using var _ = grad ? null : GradMode.NoGrad();
        return _small is not null ? new[] { _small.Forward(x) } : _resnet18 is not null ? _resnet18.ForwardLevels(x) : _resnet!.ForwardLevels(x);
    }

    /// <summary>Neck features of template crops [B,3,127,127] → per level [B,C,7,7].</summary>
    /// <param name="backboneGrad">False: no gradient reaches the backbone (the neck still learns).</param>
    public Tensor[] TemplateFeatures(Tensor z, bool backboneGrad = true)
    {
        var levels = Backbone(z, backboneGrad);
        var r = new Tensor[levels.Length];
        for (int l = 0; l < levels.Length; l++)
            r[l] = FeatureCrop.Centre(_necks[l].Forward(levels[l]), Config.TemplateCells, Config.TemplateCells);
        return r;
    }

    /// <summary>Neck features of search crops [B,3,255,255] → per level [B,C,31,31].</summary>
    public Tensor[] SearchFeatures(Tensor x, bool backboneGrad = true)
    {
        var levels = Backbone(x, backboneGrad);
        var r = new Tensor[levels.Length];
        for (int l = 0; l < levels.Length; l++) r[l] = _necks[l].Forward(levels[l]);
        return r;
    }

    public TemplateKernels Kernels(Tensor[] templateFeatures) => new(
        templateFeatures.Select((z, l) => _heads[l].Cls.TemplateKernel(z)).ToArray(),
        templateFeatures.Select((z, l) => _heads[l].Loc.TemplateKernel(z)).ToArray());

    /// <summary>Classification logits [B,A,25,25] and deltas [B,4A,25,25] from template kernels and search features.</summary>
    public (Tensor cls, Tensor loc) Head(TemplateKernels kernels, Tensor[] searchFeatures)
    {
        var halves = Halves(searchFeatures);
        return (Cls(kernels, halves), Loc(kernels, halves));
    }

    public SearchHalves Halves(Tensor[] searchFeatures) => new(
        searchFeatures.Select((x, l) => _heads[l].Cls.SearchHalf(x)).ToArray(),
        searchFeatures.Select((x, l) => _heads[l].Loc.SearchHalf(x)).ToArray());

    /// <summary>Classification logits [B,A,25,25] of one template on precomputed search halves.</summary>
    public Tensor Cls(TemplateKernels kernels, SearchHalves halves)
    {
        var cls = new Tensor[Levels];
        for (int l = 0; l < Levels; l++) cls[l] = _heads[l].Cls.Correlate(kernels.Cls[l], halves.Cls[l]);
        return Levels == 1 ? cls[0] : Fuse(cls, _clsWeight!);
    }

    /// <summary>Box deltas [B,4A,25,25] of one template on precomputed search halves.</summary>
    public Tensor Loc(TemplateKernels kernels, SearchHalves halves)
    {
        var loc = new Tensor[Levels];
        for (int l = 0; l < Levels; l++) loc[l] = _heads[l].Loc.Correlate(kernels.Loc[l], halves.Loc[l]);
        return Levels == 1 ? loc[0] : Fuse(loc, _locWeight!);
    }

    private static Tensor Fuse(Tensor[] outputs, Tensor weight)
    {
        var w = Ops.Softmax(weight);
        Tensor? sum = null;
        for (int l = 0; l < outputs.Length; l++)
        {
            var term = Ops.Mul(outputs[l], Ops.SliceChannels(w, l, 1));
            sum = sum is null ? term : Ops.Add(sum, term);
        }
        return sum!;
    }

    /// <summary>Template and search crops straight to (cls, loc).</summary>
    public (Tensor cls, Tensor loc) Forward(Tensor z, Tensor x) => Head(Kernels(TemplateFeatures(z)), SearchFeatures(x));
}
