using Ulast.Kernels.Host;
using System.Numerics.Tensors;

namespace Ulast.Autograd;

/// <summary>The host path of the batchnorm ops (see <see cref="HostPaths"/>).</summary>
internal static unsafe partial class HostPaths
{

    public static bool Normalize(BatchNormParams p, Tensor x, Tensor mean, Tensor var, Tensor gamma, Tensor beta, Tensor y)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BatchNormKernels.Normalize);
        var normalize = ChannelEpilogue.FromBatchNorm(gamma.HostPointer, beta.HostPointer, mean.HostPointer, var.HostPointer, p.C, p.Eps, relu: false);
        long image = (long)p.C * p.Plane;
        for (int n = 0; n < p.N; n++) normalize.Apply(x.HostPointer + n * image, y.HostPointer + n * image, p.C, p.Plane);
        return true;
    }

    /// <summary>
    /// Batch norm's gradients on whole planes: dβ = Σg, dγ = Σg·x̂ (plane sums in float, channel sums in double, as the
    /// kernel), and dx = k·g + b·(x − mean) + c0 — the kernels' formula regrouped per channel.
    /// </summary>
    public static bool BatchNormBackward(BatchNormParams p, bool training, Tensor g, Tensor x, Tensor mean, Tensor var, Tensor gamma,
        Tensor dBeta, Tensor dGamma, Tensor? dx)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BatchNormKernels.BackwardPartial);
        x.Device.Kernels.RecordHost(BatchNormKernels.BackwardFinish);
        float* pg = g.HostPointer, px = x.HostPointer, pm = mean.HostPointer, pv = var.HostPointer, pgam = gamma.HostPointer;
        float* pdb = dBeta.HostPointer, pdg = dGamma.HostPointer;
        float* pdx = dx is null ? null : dx.HostPointer;
        Parallel.For(0, p.C, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
        {
            // Σg·(x − mean) on centred values: Σg·x − mean·Σg would cancel badly where the mean is large (raw pixels).
            float inv = 1f / MathF.Sqrt(pv[c] + p.Eps), m = pm[c];
            double sg = 0, sgx = 0;
            var tmp = System.Buffers.ArrayPool<float>.Shared.Rent(p.Plane);
            var centred = tmp.AsSpan(0, p.Plane);
            for (int n = 0; n < p.N; n++)
            {
                long off = ((long)n * p.C + c) * p.Plane;
                var gs = new ReadOnlySpan<float>(pg + off, p.Plane);
                sg += TensorPrimitives.Sum(gs);
                TensorPrimitives.Subtract(new ReadOnlySpan<float>(px + off, p.Plane), m, centred);
                sgx += TensorPrimitives.Dot(gs, centred);
            }
            System.Buffers.ArrayPool<float>.Shared.Return(tmp);
            float db = (float)sg, dg = (float)(sgx * inv);
            pdb[c] = db;
            pdg[c] = dg;
            if (pdx is null) return;
            float k = pgam[c] * inv, count = p.Count;
            // dx = k·g + bx·(x − mean) + c0: the kernel's γ/σ·(g − Σg/M − x̂·Σgx̂/M), again on centred values.
            float bx = training ? -k * inv * dg / count : 0f;
            float c0 = training ? -k * db / count : 0f;
            for (int n = 0; n < p.N; n++)
            {
                long off = ((long)n * p.C + c) * p.Plane;
                var dst = new Span<float>(pdx + off, p.Plane);
                if (training)
                {
                    TensorPrimitives.Subtract(new ReadOnlySpan<float>(px + off, p.Plane), m, dst);
                    TensorPrimitives.Multiply(dst, bx, dst);
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(pg + off, p.Plane), k, dst, dst);
                    TensorPrimitives.Add(dst, c0, dst);
                }
                else TensorPrimitives.Multiply(new ReadOnlySpan<float>(pg + off, p.Plane), k, dst);
            }
        });
        return true;
    }

    /// <summary>Batch statistics per channel in two passes (mean, then Σ(x − mean)²), channel sums in double, as the kernel.</summary>
    public static bool BatchNormStats(BatchNormParams p, Tensor x, Tensor mean, Tensor var)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BatchNormKernels.StatsPartial);
        x.Device.Kernels.RecordHost(BatchNormKernels.StatsFinish);
        float* px = x.HostPointer, pm = mean.HostPointer, pv = var.HostPointer;
        Parallel.For(0, p.C, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, c =>
        {
            double s = 0;
            for (int n = 0; n < p.N; n++) s += TensorPrimitives.Sum(new ReadOnlySpan<float>(px + ((long)n * p.C + c) * p.Plane, p.Plane));
            double m = s / p.Count;
            float mf = (float)m;
            double v = 0;
            var tmp = System.Buffers.ArrayPool<float>.Shared.Rent(p.Plane);
            var t = tmp.AsSpan(0, p.Plane);
            for (int n = 0; n < p.N; n++)
            {
                TensorPrimitives.Subtract(new ReadOnlySpan<float>(px + ((long)n * p.C + c) * p.Plane, p.Plane), mf, t);
                v += TensorPrimitives.SumOfSquares(t);
            }
            System.Buffers.ArrayPool<float>.Shared.Return(tmp);
            pm[c] = mf;
            pv[c] = (float)(v / p.Count);
        });
        return true;
    }
}
