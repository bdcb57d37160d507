using Ulast.Kernels.Host;

namespace Ulast.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Inference of conv → evaluation-mode BatchNorm → optional ReLU, with no gradient: equal to the bit to
    /// <c>Relu(BatchNorm(Conv2d(x, w), …, training: false))</c>. On the CPU's host path the normalisation and ReLU run
    /// on each image's output right after its convolution, while it is still in the cache; elsewhere the three ops run
    /// as they are.
    /// </summary>
    public static unsafe Tensor ConvBnEval(Tensor x, Tensor w, int stride, int padding, int dilation, int groups,
        Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar, float eps, bool relu)
    {
        if (GradMode.IsEnabled) throw new InvalidOperationException("ConvBnEval records no gradient: call it under GradMode.NoGrad().");
        var dev = x.Device;
        if (!dev.HostPath)
        {
            var y0 = BatchNorm(Conv2d(x, w, stride, padding, dilation, groups), gamma, beta, runningMean, runningVar, false, eps: eps);
            return relu ? Relu(y0) : y0;
        }
        var p = ConvShape("ConvBnEval", x, w, stride, padding, dilation, groups);
        int c = p.Cout;
        if (gamma.Size != c || beta.Size != c || runningMean.Size != c || runningVar.Size != c)
            throw new ArgumentException($"ConvBnEval: the BatchNorm parameters must have {c} elements.");
        var y = Tensor.Result(dev, new[] { p.N, p.Cout, p.Ho, p.Wo }, "conv_bn", new[] { x, w }, null);
        dev.Synchronize();
        dev.Kernels.RecordHost(ConvKernels.Forward);
        dev.Kernels.RecordHost(BatchNormKernels.Normalize);
        if (relu) dev.Kernels.RecordHost(UnaryKernels.Forward);
        var epilogue = ChannelEpilogue.FromBatchNorm(gamma.HostPointer, beta.HostPointer, runningMean.HostPointer, runningVar.HostPointer, c, eps, relu);
        HostConv.Forward(dev.Tuning, p, x.HostPointer, w.HostPointer, y.HostPointer, epilogue);
        return y;
    }
}
