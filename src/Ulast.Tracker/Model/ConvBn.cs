using Ulast.Autograd.Modules;

namespace Ulast.Tracker.Model;

/// <summary>conv (no bias) → BN → optional ReLU, with the child names "conv" and "bn".</summary>
public sealed class ConvBn : Module
{
    private readonly bool _relu;

    public ConvBn(Device device, int cin, int cout, int kernel, Random rng, int stride = 1, int padding = 0, int dilation = 1, bool relu = true)
    {
        _relu = relu;
        Conv = RegisterModule("conv", new Conv2d(device, cin, cout, kernel, stride, padding, dilation, rng: rng));
        Bn = RegisterModule("bn", new BatchNorm2d(device, cout));
    }

    public Conv2d Conv { get; }
    public BatchNorm2d Bn { get; }

    public override Tensor Forward(Tensor x)
    {
        // Inference (tracking, evaluation): one fused pass, the same numbers to the bit.
        // So does a frozen layer in training (evaluation-mode BN, nothing that needs a gradient).
        if (!Bn.Training && x.Device.Tuning.FusedConvBnInference && (!GradMode.IsEnabled || !(x.RequiresGrad || Conv.Weight.RequiresGrad || Bn.Weight.RequiresGrad || Bn.Bias.RequiresGrad)))
        {
            using var _ = GradMode.NoGrad();
            return Ops.ConvBnEval(x, Conv.Weight, Conv.Stride, Conv.Padding, Conv.Dilation, Conv.Groups,
                Bn.Weight, Bn.Bias, Bn.RunningMean, Bn.RunningVar, Bn.Eps, _relu);
        }
        var y = Bn.Forward(Conv.Forward(x));
        return _relu ? Ops.Relu(y) : y;
    }
}
