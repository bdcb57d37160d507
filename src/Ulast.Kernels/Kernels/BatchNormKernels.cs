using ILGPU;
using ILGPU.Algorithms;

namespace Ulast.Kernels;

public readonly struct BatchNormParams
{
    public readonly int N, C, Plane;
    public readonly float Eps;
    public BatchNormParams(int n, int c, int plane, float eps) { N = n; C = c; Plane = plane; Eps = eps; }
    public int Count => N * Plane;
    public int Size => N * C * Plane;
}

/// <summary>
/// Batch normalisation over (N, H, W) per channel. Statistics are accumulated in double per channel
/// so that large batches do not lose precision.
/// </summary>
public static class BatchNormKernels
{
    /// <summary>Per channel: batch mean and biased variance (two passes).</summary>
    [UlastKernel]
    public static void Stats(Index1D c, BatchNormParams p, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> var)
    {
        double s = 0;
        for (int n = 0; n < p.N; n++)
            for (int q = 0; q < p.Plane; q++) s += x[(n * p.C + c) * p.Plane + q];
        double m = s / p.Count;
        double v = 0;
        for (int n = 0; n < p.N; n++)
            for (int q = 0; q < p.Plane; q++) { double d = x[(n * p.C + c) * p.Plane + q] - m; v += d * d; }
        mean[c] = (float)m;
        var[c] = (float)(v / p.Count);
    }

    /// <summary>y = (x − mean) / √(var + eps) · γ + β.</summary>
    [UlastKernel]
    public static void Normalize(Index1D i, BatchNormParams p, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> var,
        ArrayView<float> gamma, ArrayView<float> beta, ArrayView<float> y)
    {
        int c = i / p.Plane % p.C;
        y[i] = (x[i] - mean[c]) * XMath.Rsqrt(var[c] + p.Eps) * gamma[c] + beta[c];
    }

    /// <summary>running = (1 − momentum)·running + momentum·batch, with the unbiased variance.</summary>
    [UlastKernel]
    public static void UpdateRunning(Index1D c, BatchNormParams p, float momentum, ArrayView<float> mean, ArrayView<float> var,
        ArrayView<float> runningMean, ArrayView<float> runningVar)
    {
        float unbias = p.Count > 1 ? (float)p.Count / (p.Count - 1) : 1f;
        runningMean[c] = (1f - momentum) * runningMean[c] + momentum * mean[c];
        runningVar[c] = (1f - momentum) * runningVar[c] + momentum * var[c] * unbias;
    }

    /// <summary>Per channel: dβ = Σ g and dγ = Σ g·x̂.</summary>
    [UlastKernel]
    public static void BackwardReduce(Index1D c, BatchNormParams p, ArrayView<float> g, ArrayView<float> x, ArrayView<float> mean,
        ArrayView<float> var, ArrayView<float> dBeta, ArrayView<float> dGamma)
    {
        double sg = 0, sgx = 0;
        float m = mean[c], inv = XMath.Rsqrt(var[c] + p.Eps);
        for (int n = 0; n < p.N; n++)
            for (int q = 0; q < p.Plane; q++)
            {
                int o = (n * p.C + c) * p.Plane + q;
                sg += g[o];
                sgx += g[o] * (x[o] - m) * inv;
            }
        dBeta[c] = (float)sg;
        dGamma[c] = (float)sgx;
    }

    /// <summary>
    /// dx. Training: γ/σ · (g − Σg/M − x̂·Σgx̂/M), since mean and var depend on x.
    /// Evaluation (training = 0): γ/σ · g with the running statistics as constants.
    /// </summary>
    [UlastKernel]
    public static void BackwardInput(Index1D i, BatchNormParams p, int training, ArrayView<float> g, ArrayView<float> x,
        ArrayView<float> mean, ArrayView<float> var, ArrayView<float> gamma, ArrayView<float> dBeta, ArrayView<float> dGamma, ArrayView<float> dx)
    {
        int c = i / p.Plane % p.C;
        float inv = XMath.Rsqrt(var[c] + p.Eps);
        if (training == 0) { dx[i] = gamma[c] * inv * g[i]; return; }
        float xhat = (x[i] - mean[c]) * inv;
        float m = p.Count;
        dx[i] = gamma[c] * inv * (g[i] - dBeta[c] / m - xhat * dGamma[c] / m);
    }
}
