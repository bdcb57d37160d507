using Ulast.Autograd.Modules;

namespace Ulast.Tracker.Model;

/// <summary>
/// A ResNet-50 bottleneck with torchvision's parameter names (conv1/bn1/conv2/bn2/conv3/bn3/downsample.0/.1).
/// A stride-2 block uses an unpadded 3×3 conv (pysot) and crops its shortcut's input by one pixel
/// per side, so the torchvision 1×1 downsample stays aligned with it.
/// </summary>
public sealed class Bottleneck : Module
{
    private readonly int _stride;
    private readonly Sequential? _downsample;

    public Bottleneck(Device device, int cin, int planes, int stride, int dilation, bool downsample, Random rng)
    {
        _stride = stride;
        int padding = stride == 2 ? 0 : dilation;
        Conv1 = RegisterModule("conv1", new Conv2d(device, cin, planes, 1, rng: rng));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(device, planes));
        Conv2 = RegisterModule("conv2", new Conv2d(device, planes, planes, 3, stride, padding, stride == 2 ? 1 : dilation, rng: rng));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(device, planes));
        Conv3 = RegisterModule("conv3", new Conv2d(device, planes, planes * 4, 1, rng: rng));
        Bn3 = RegisterModule("bn3", new BatchNorm2d(device, planes * 4));
        if (downsample) _downsample = RegisterModule("downsample", new Sequential(new Conv2d(device, cin, planes * 4, 1, stride, rng: rng), new BatchNorm2d(device, planes * 4)));
    }

    public Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }
    public Conv2d Conv2 { get; }
    public BatchNorm2d Bn2 { get; }
    public Conv2d Conv3 { get; }
    public BatchNorm2d Bn3 { get; }

    public override Tensor Forward(Tensor x)
    {
        var h = Ops.Relu(Bn1.Forward(Conv1.Forward(x)));
        h = Ops.Relu(Bn2.Forward(Conv2.Forward(h)));
        h = Bn3.Forward(Conv3.Forward(h));
        var shortcut = x;
        if (_downsample is not null)
        {
            if (_stride == 2) shortcut = FeatureCrop.Centre(x, x.Shape[2] - 2, x.Shape[3] - 2);
            shortcut = _downsample.Forward(shortcut);
        }
        return Ops.Relu(Ops.Add(h, shortcut));
    }
}

/// <summary>
/// SiamRPN++'s ResNet-50: conv1 7×7/2 unpadded, max-pool 3×3/2, layer1–2 as torchvision, layer3 and layer4
/// with stride 1 and dilation 2 and 4 (output stride 8: 255 → 31, 127 → 15). Returns layers 2, 3, 4.
/// Parameter names equal torchvision's, so its ImageNet weights load by name.
/// </summary>
public sealed class ResNet50 : Module
{
    private readonly Sequential[] _layers;

    public ResNet50(Device device, int width, Random rng)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(device, 3, width, 7, 2, 0, rng: rng));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(device, width));
        int cin = width;
        var specs = new[] { (3, width, 1, 1), (4, 2 * width, 2, 1), (6, 4 * width, 1, 2), (3, 8 * width, 1, 4) };
        _layers = new Sequential[4];
        for (int l = 0; l < 4; l++)
        {
            var (blocks, planes, stride, dilation) = specs[l];
            var layer = new Sequential();
            for (int b = 0; b < blocks; b++)
            {
                bool first = b == 0;
                layer.Add(new Bottleneck(device, cin, planes, first ? stride : 1, dilation, first && (stride != 1 || cin != planes * 4), rng));
                cin = planes * 4;
            }
            _layers[l] = RegisterModule($"layer{l + 1}", layer);
        }
        OutChannels = new[] { 8 * width, 16 * width, 32 * width };
    }

    public Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }
    public int[] OutChannels { get; }

    public Tensor[] ForwardLevels(Tensor x)
    {
        var h = Ops.MaxPool2d(Ops.Relu(Bn1.Forward(Conv1.Forward(x))), 3, 2, 1);
        h = _layers[0].Forward(h);
        var l2 = _layers[1].Forward(h);
        var l3 = _layers[2].Forward(l2);
        var l4 = _layers[3].Forward(l3);
        return new[] { l2, l3, l4 };
    }
}
