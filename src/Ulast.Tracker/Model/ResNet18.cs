using Ulast.Autograd.Modules;

namespace Ulast.Tracker.Model;

/// <summary>
/// A ResNet-18 basic block: conv3×3+BN+ReLU, conv3×3+BN, plus the shortcut (1×1 conv+BN where the shape changes), ReLU.
/// In the Siamese geometry a stride-2 block's first convolution is unpadded (pysot) and the shortcut's input is
/// cropped by one pixel per side, so the 1×1 stride-2 shortcut stays aligned with it (as <see cref="Bottleneck"/>).
/// </summary>
public sealed class BasicBlock : Module
{
    private readonly bool _cropShortcut;

    public BasicBlock(Device device, int cin, int planes, int stride, int dilation, bool siamese, Random rng)
    {
        _cropShortcut = siamese && stride == 2;
        int padding = _cropShortcut ? 0 : dilation;
        Conv1 = RegisterModule("conv1", new ConvBn(device, cin, planes, 3, rng, stride, padding, _cropShortcut ? 1 : dilation));
        Conv2 = RegisterModule("conv2", new ConvBn(device, planes, planes, 3, rng, padding: dilation, dilation: dilation, relu: false));
        if (stride != 1 || cin != planes) Downsample = RegisterModule("downsample", new ConvBn(device, cin, planes, 1, rng, stride, relu: false));
    }

    public ConvBn Conv1 { get; }
    public ConvBn Conv2 { get; }
    public ConvBn? Downsample { get; }

    public override Tensor Forward(Tensor x)
    {
        var h = Conv2.Forward(Conv1.Forward(x));
        var shortcut = x;
        if (Downsample is not null)
        {
            if (_cropShortcut) shortcut = FeatureCrop.Centre(x, x.Shape[2] - 2, x.Shape[3] - 2);
            shortcut = Downsample.Forward(shortcut);
        }
        return Ops.Relu(Ops.Add(h, shortcut));
    }
}

/// <summary>
/// ResNet-18's conv1 … layer3. The Siamese geometry (SiamRPN++'s, output stride 8: 255 → 31, 127 → 15): conv1 7×7/2
/// unpadded, max-pool 3×3/2 padded by one, layer1 and layer2 as in the classifier with layer2's stride-2 block
/// unpadded, layer3 with stride 1 and dilation 2. The classifier geometry (conv1 padded by 3, layer3 with stride 2)
/// is the ImageNet network itself, used to prove the imported weights against ONNX Runtime.
/// <see cref="ModelConfig.Layers"/> says which layers feed the neck; the network stops at the deepest one.
/// </summary>
public sealed class ResNet18 : Module
{
    private readonly Sequential[] _layers;
    private readonly int[] _outputs;

    public ResNet18(Device device, int width, int[] outputs, Random rng, bool siamese = true)
    {
        _outputs = outputs;
        Conv1 = RegisterModule("conv1", new ConvBn(device, 3, width, 7, rng, stride: 2, padding: siamese ? 0 : 3));
        int depth = outputs.Max(), cin = width;
        _layers = new Sequential[depth];
        for (int l = 0; l < depth; l++)
        {
            int planes = width << l;
            bool atrous = siamese && l == 2;
            int stride = l == 0 || atrous ? 1 : 2, dilation = atrous ? 2 : 1;
            var layer = new Sequential();
            for (int b = 0; b < 2; b++)
            {
                layer.Add(new BasicBlock(device, cin, planes, b == 0 ? stride : 1, dilation, siamese, rng));
                cin = planes;
            }
            _layers[l] = RegisterModule($"layer{l + 1}", layer);
        }
        OutChannels = outputs.Select(o => width << (o - 1)).ToArray();
    }

    public ConvBn Conv1 { get; }
    public int[] OutChannels { get; }

    /// <summary>Every basic block in order, with its dotted name ("layer2.0").</summary>
    public IEnumerable<(string Name, BasicBlock Block)> Blocks =>
        _layers.SelectMany((layer, l) => layer.Layers.Select((b, i) => ($"layer{l + 1}.{i}", (BasicBlock)b)));

    /// <summary>The outputs of the layers named by the config, shallowest first.</summary>
    public Tensor[] ForwardLevels(Tensor x)
    {
        var stages = ForwardStages(x);
        return _outputs.Select(o => stages[o + 1]).ToArray();
    }

    /// <summary>Every stage: conv1 (+BN+ReLU), the max-pool, then each layer's output.</summary>
    public Tensor[] ForwardStages(Tensor x)
    {
        var stages = new List<Tensor> { Conv1.Forward(x) };
        stages.Add(Ops.MaxPool2d(stages[0], 3, 2, 1));
        foreach (var layer in _layers) stages.Add(layer.Forward(stages[^1]));
        return stages.ToArray();
    }
}
