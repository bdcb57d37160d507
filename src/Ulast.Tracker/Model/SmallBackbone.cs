using Ulast.Autograd.Modules;

namespace Ulast.Tracker.Model;

/// <summary>
/// The `small` backbone: three valid 3×3 stride-2 convolutions (255 → 127 → 63 → 31, and 127 → 63 → 31 → 15:
/// output stride 8 with SiamRPN++'s map sizes) with residual 3×3 blocks in between. Widths w, 2w, 4w.
/// </summary>
public sealed class SmallBackbone : Module
{
    public SmallBackbone(Device device, int width, Random rng)
    {
        Stem = RegisterModule("stem", new ConvBn(device, 3, width, 3, rng, stride: 2));
        Down2 = RegisterModule("down2", new ConvBn(device, width, 2 * width, 3, rng, stride: 2));
        Block2 = RegisterModule("block2", new ConvBn(device, 2 * width, 2 * width, 3, rng, padding: 1));
        Down3 = RegisterModule("down3", new ConvBn(device, 2 * width, 4 * width, 3, rng, stride: 2));
        Block3a = RegisterModule("block3a", new ConvBn(device, 4 * width, 4 * width, 3, rng, padding: 1));
        Block3b = RegisterModule("block3b", new ConvBn(device, 4 * width, 4 * width, 3, rng, padding: 2, dilation: 2));
        OutChannels = 4 * width;
    }

    public ConvBn Stem { get; }
    public ConvBn Down2 { get; }
    public ConvBn Block2 { get; }
    public ConvBn Down3 { get; }
    public ConvBn Block3a { get; }
    public ConvBn Block3b { get; }
    public int OutChannels { get; }

    public override Tensor Forward(Tensor x)
    {
        var h = Down2.Forward(Stem.Forward(x));
        h = Ops.Add(h, Block2.Forward(h));
        h = Down3.Forward(h);
        h = Ops.Add(h, Block3a.Forward(h));
        return Ops.Add(h, Block3b.Forward(h));
    }
}
