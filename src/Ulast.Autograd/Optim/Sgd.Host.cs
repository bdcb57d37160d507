// A part of HostPaths (namespace Ulast.Autograd), kept beside the optimiser it serves.
namespace Ulast.Autograd;

/// <summary>The host path of the SGD step (see <see cref="HostPaths"/>).</summary>
internal static unsafe partial class HostPaths
{
    /// <summary>
    /// SGD's update, as <see cref="OptimizerKernels.Sgd"/> element for element (the same products and sums, none fused):
    /// on ILGPU's CPU accelerator the whole network's update was a noticeable share of a step.
    /// </summary>
    public static bool SgdStep(SgdParams h, Tensor param, Tensor grad, Tensor velocity)
    {
        if (!Ready(param)) return false;
        param.Device.Kernels.RecordHost(OptimizerKernels.Sgd);
        float* w = param.HostPointer, gr = grad.HostPointer, v = velocity.HostPointer;
        for (long i = 0; i < param.Size; i++)
        {
            float g = gr[i] + h.WeightDecay * w[i];
            float vi = h.Momentum * v[i] + g;
            v[i] = vi;
            w[i] -= h.Lr * (h.Nesterov != 0 ? g + h.Momentum * vi : vi);
        }
        return true;
    }
}
