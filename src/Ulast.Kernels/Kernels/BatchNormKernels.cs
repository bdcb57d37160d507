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
    /// <summary>
    /// How many partial sums each channel's reduction is split into, so that a GPU has work for thousands of threads
    /// (one thread per channel left most of it idle, a fifth of a training step on an H200). At least 64
    /// elements per partial, about 128k threads at most; 1 for small planes.
    /// </summary>
    public static int Chunks(BatchNormParams p) => Math.Max(1, Math.Min(p.Count / 64, 131072 / Math.Max(1, p.C)));

    /// <summary>
    /// Thread (c, k) sums, in double, the channel's elements j = k, k + chunks, … of its N·Plane values (neighbouring
    /// threads read neighbouring values): pass 0 sums x, pass 1 sums (x − mean)². The double is stored as two floats
    /// (hi + lo), so the channel's total keeps double precision.
    /// </summary>
    [UlastKernel]
    public static void StatsPartial(Index1D i, BatchNormParams p, int chunks, int pass, ArrayView<float> x, ArrayView<float> mean, ArrayView<float> partial)
    {
        int k = i % chunks, c = i / chunks;
        double m = pass == 0 ? 0.0 : mean[c];
        double s = 0;
        for (int j = k; j < p.Count; j += chunks)
        {
            int n = j / p.Plane;
            double v = x[(n * p.C + c) * p.Plane + (j - n * p.Plane)];
            if (pass == 0) s += v;
            else s += (v - m) * (v - m);
        }
        float hi = (float)s;
        partial[2 * i] = hi;
        partial[2 * i + 1] = (float)(s - hi);
    }

    /// <summary>Per channel: the partial sums' total divided by N·Plane: the mean (pass 0) or the biased variance (pass 1).</summary>
    [UlastKernel]
    public static void StatsFinish(Index1D c, BatchNormParams p, int chunks, ArrayView<float> partial, ArrayView<float> result)
    {
        double s = 0;
        for (int k = 0; k < chunks; k++) s += (double)partial[2 * (c * chunks + k)] + partial[2 * (c * chunks + k) + 1];
        result[c] = (float)(s / p.Count);
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

    /// <summary>
    /// Thread (c, k): Σ g and Σ g·(x − mean) over the channel's elements j = k, k + chunks, … (as <see cref="StatsPartial"/>),
    /// each stored as hi + lo floats.
    /// </summary>
    [UlastKernel]
    public static void BackwardPartial(Index1D i, BatchNormParams p, int chunks, ArrayView<float> g, ArrayView<float> x, ArrayView<float> mean,
        ArrayView<float> partial)
    {
        int k = i % chunks, c = i / chunks;
        double m = mean[c], sg = 0, sgx = 0;
        for (int j = k; j < p.Count; j += chunks)
        {
            int n = j / p.Plane;
            int o = (n * p.C + c) * p.Plane + (j - n * p.Plane);
            double gv = g[o];
            sg += gv;
            sgx += gv * (x[o] - m);
        }
        float h0 = (float)sg, h1 = (float)sgx;
        partial[4 * i] = h0;
        partial[4 * i + 1] = (float)(sg - h0);
        partial[4 * i + 2] = h1;
        partial[4 * i + 3] = (float)(sgx - h1);
    }

    /// <summary>Per channel: dβ = Σ g and dγ = Σ g·x̂ = Σ g·(x − mean) / √(var + eps) from the partial sums.</summary>
    [UlastKernel]
    public static void BackwardFinish(Index1D c, BatchNormParams p, int chunks, ArrayView<float> partial, ArrayView<float> var,
        ArrayView<float> dBeta, ArrayView<float> dGamma)
    {
        double sg = 0, sgx = 0;
        for (int k = 0; k < chunks; k++)
        {
            int o = 4 * (c * chunks + k);
            sg += (double)partial[o] + partial[o + 1];
            sgx += (double)partial[o + 2] + partial[o + 3];
        }
        dBeta[c] = (float)sg;
        dGamma[c] = (float)(sgx * XMath.Rsqrt(var[c] + p.Eps));
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
