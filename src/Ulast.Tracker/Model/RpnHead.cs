using Ulast.Autograd.Modules;

namespace Ulast.Tracker.Model;

/// <summary>
/// SiamRPN++'s depthwise cross-correlation branch: kernel = conv3×3+BN+ReLU of the template features,
/// search = conv3×3+BN+ReLU of the search features, depthwise xcorr, then conv1×1+BN+ReLU and a conv1×1
/// (with bias) to the outputs.
/// </summary>
public sealed class DepthwiseBranch : Module
{
    public DepthwiseBranch(Device device, int channels, int outputs, Random rng)
    {
        Kernel = RegisterModule("conv_kernel", new ConvBn(device, channels, channels, 3, rng));
        Search = RegisterModule("conv_search", new ConvBn(device, channels, channels, 3, rng));
        Head1 = RegisterModule("head1", new ConvBn(device, channels, channels, 1, rng));
        Head2 = RegisterModule("head2", new Conv2d(device, channels, outputs, 1, bias: true, rng: rng));
    }

    public ConvBn Kernel { get; }
    public ConvBn Search { get; }
    public ConvBn Head1 { get; }
    public Conv2d Head2 { get; }

    /// <summary>The template half, computed once per template.</summary>
    public Tensor TemplateKernel(Tensor z) => Kernel.Forward(z);

    /// <summary>The search half, which does not depend on the template (shared by the online tracker's two templates).</summary>
    public Tensor SearchHalf(Tensor x) => Search.Forward(x);

    /// <summary>Cross-correlates a template kernel with a search half and maps it to the outputs.</summary>
    public Tensor Correlate(Tensor kernel, Tensor searchHalf) => Head2.Forward(Head1.Forward(Ops.DepthwiseXcorr(searchHalf, kernel)));

    public Tensor Forward(Tensor kernel, Tensor x) => Correlate(kernel, SearchHalf(x));
}

/// <summary>Classification (one logit per anchor) and box deltas (4 per anchor) for one feature level.</summary>
public sealed class DepthwiseRpn : Module
{
    public DepthwiseRpn(Device device, int channels, int anchorsPerCell, Random rng)
    {
        Cls = RegisterModule("cls", new DepthwiseBranch(device, channels, anchorsPerCell, rng));
        Loc = RegisterModule("loc", new DepthwiseBranch(device, channels, 4 * anchorsPerCell, rng));
    }

    public DepthwiseBranch Cls { get; }
    public DepthwiseBranch Loc { get; }
}
