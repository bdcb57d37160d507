using System.Runtime.Intrinsics;

namespace Ulast.Autograd;

/// <summary>The host path of the reductions ops (see <see cref="HostPaths"/>).</summary>
internal static unsafe partial class HostPaths
{
    /// <summary>
    /// A reduction to a shape, as <see cref="BroadcastKernels.ReduceToShape"/>: each output element sums its region
    /// in memory order from 0, then scales. Outputs in parallel when there are many.
    /// </summary>
    public static bool Reduce(Dims4 src, Dims4 dst, Tensor x, Tensor y, float scale)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BroadcastKernels.ReduceToShape);
        float* px = x.HostPointer, py = y.HostPointer;
        void One(int i)
        {
            var r = dst.RegionIn(i, src);
            float acc = 0f;
            for (int n = r.N0; n < r.N1; n++)
                for (int c = r.C0; c < r.C1; c++)
                    for (int h = r.H0; h < r.H1; h++)
                    {
                        float* row = px + (((long)n * src.C + c) * src.H + h) * src.W;
                        for (int w = r.W0; w < r.W1; w++) acc += row[w];
                    }
            py[i] = acc * scale;
        }
        int outputs = dst.Size;
        if (outputs >= 4 * Environment.ProcessorCount && (long)src.Size >= 1 << 16)
            Parallel.For(0, outputs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, One);
        else for (int i = 0; i < outputs; i++) One(i);
        return true;
    }

    /// <summary>The gradient of a reduction, as <see cref="BroadcastKernels.BroadcastTo"/>: y = scale · x broadcast to y's shape.</summary>
    public static bool BroadcastTo(Dims4 src, Dims4 dst, Tensor x, Tensor y, float scale)
    {
        if (!Ready(x)) return false;
        x.Device.Kernels.RecordHost(BroadcastKernels.BroadcastTo);
        float* px = x.HostPointer, py = y.HostPointer;
        if (src.Size == 1) { new Span<float>(py, dst.Size).Fill(px[0] * scale); return true; }
        for (int n = 0; n < dst.N; n++)
            for (int c = 0; c < dst.C; c++)
                for (int h = 0; h < dst.H; h++)
                {
                    float* row = py + (((long)n * dst.C + c) * dst.H + h) * dst.W;
                    for (int w = 0; w < dst.W; w++) row[w] = px[src.Broadcast(n, c, h, w)] * scale;
                }
        return true;
    }

    /// <summary>d[i] += g[i]·a[i]: the product rounded, then added (no fused multiply-add, as the kernel).</summary>
    private static void AddProducts(float* g, float* a, float* d, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16)
                (Vector512.Load(d + i) + Vector512.Load(g + i) * Vector512.Load(a + i)).Store(d + i);
        for (; i < count; i++) d[i] += g[i] * a[i];
    }

    /// <summary>Runs body(n, c, h) for every output row, in memory order within a sample; samples in parallel when allowed.</summary>
    private static void ForOutputRows(Dims4 o, bool samplesInParallel, Action<int, int, int> body)
    {
        void Sample(int n)
        {
            for (int c = 0; c < o.C; c++)
                for (int h = 0; h < o.H; h++) body(n, c, h);
        }
        if (samplesInParallel) Parallel.For(0, o.N, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, Sample);
        else for (int n = 0; n < o.N; n++) Sample(n);
    }
}
