using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

public readonly struct SgdParams
{
    public readonly float Lr, Momentum, WeightDecay;
    public readonly int Nesterov;
    public SgdParams(float lr, float momentum, float weightDecay, bool nesterov) { Lr = lr; Momentum = momentum; WeightDecay = weightDecay; Nesterov = nesterov ? 1 : 0; }
}

public readonly struct AdamWParams
{
    public readonly float Lr, Beta1, Beta2, Eps, WeightDecay, Correction1, Correction2;
    public AdamWParams(float lr, float beta1, float beta2, float eps, float weightDecay, int step)
    {
        Lr = lr; Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay;
        Correction1 = 1f - MathF.Pow(beta1, step);
        Correction2 = 1f - MathF.Pow(beta2, step);
    }
}

/// <summary>Parameter updates, one thread per parameter element.</summary>
public static class OptimizerKernels
{
    /// <summary>SGD with momentum and L2 weight decay (PyTorch's formulation).</summary>
    [UlastKernel]
    public static void Sgd(Index1D i, SgdParams p, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> velocity)
    {
        float g = grad[i] + p.WeightDecay * param[i];
        float v = p.Momentum * velocity[i] + g;
        velocity[i] = v;
        param[i] -= p.Lr * (p.Nesterov != 0 ? g + p.Momentum * v : v);
    }

    /// <summary>AdamW: Adam on the gradient, decoupled weight decay on the parameter.</summary>
    [UlastKernel]
    public static void AdamW(Index1D i, AdamWParams p, ArrayView<float> param, ArrayView<float> grad, ArrayView<float> m, ArrayView<float> v)
    {
        float g = grad[i];
        float mi = p.Beta1 * m[i] + (1f - p.Beta1) * g;
        float vi = p.Beta2 * v[i] + (1f - p.Beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        float mh = mi / p.Correction1, vh = vi / p.Correction2;
        param[i] -= p.Lr * (mh / (XMath.Sqrt(vh) + p.Eps) + p.WeightDecay * param[i]);
    }
}
