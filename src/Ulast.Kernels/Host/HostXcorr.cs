using System.Runtime.Intrinsics;

namespace Ulast.Kernels.Host;

/// <summary>
/// Depthwise cross-correlation on the CPU, one (sample, channel) plane at a time. Each plane is
/// copied into a zero-padded scratch whose rows are a whole number of vectors wide, so that every
/// inner loop is a run of full-width FMAs with no tail.
/// </summary>
public static unsafe class HostXcorr
{
    public static int Threads { get; set; } = Environment.ProcessorCount;

    private const int V = 16;

    private readonly struct Layout
    {
        public readonly int OutStride, InStride, Rows;
        public Layout(in XcorrParams p)
        {
            OutStride = (p.Wo + V - 1) / V * V;
            InStride = OutStride + p.Wk - 1 + V;
            Rows = p.Hs;
        }
    }

    public static void Forward(XcorrParams p, float* s, float* k, float* y) =>
        ForEachPlane(p, (IntPtr)s, (IntPtr)k, (IntPtr)y, ForwardPlane);

    public static void BackwardSearch(XcorrParams p, float* k, float* g, float* ds) =>
        ForEachPlane(p, (IntPtr)k, (IntPtr)g, (IntPtr)ds, BackwardSearchPlane);

    public static void BackwardKernel(XcorrParams p, float* s, float* g, float* dk) =>
        ForEachPlane(p, (IntPtr)s, (IntPtr)g, (IntPtr)dk, BackwardKernelPlane);

    private delegate void PlaneBody(in XcorrParams p, in Layout l, int plane, float* a, float* b, float* o, float* scratchIn, float* scratchOut);

    private static void ForEachPlane(XcorrParams p, IntPtr a, IntPtr b, IntPtr o, PlaneBody body)
    {
        var l = new Layout(p);
        int planes = p.B * p.C;
        int threads = Math.Max(1, Math.Min(Threads, planes));
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            var sin = GC.AllocateUninitializedArray<float>(l.InStride * (l.Rows + 1) + V, pinned: true);
            var sout = GC.AllocateUninitializedArray<float>(l.OutStride * Math.Max(p.Ho, p.Hk) + V, pinned: true);
            fixed (float* si = sin, so = sout)
                for (int pl = (int)((long)planes * t / threads); pl < (int)((long)planes * (t + 1) / threads); pl++)
                    body(p, l, pl, (float*)a, (float*)b, (float*)o, si, so);
        });
    }

    /// <summary>Copies an h×w plane into a zero-filled scratch with the given row stride.</summary>
    private static void Stage(float* src, int h, int w, float* dst, int stride, int rows)
    {
        new Span<float>(dst, stride * rows + V).Clear();
        for (int r = 0; r < h; r++) Buffer.MemoryCopy(src + r * w, dst + r * stride, w * sizeof(float), w * sizeof(float));
    }

    private static void ForwardPlane(in XcorrParams p, in Layout l, int plane, float* s, float* k, float* y, float* si, float* so)
    {
        Stage(s + (long)plane * p.Hs * p.Ws, p.Hs, p.Ws, si, l.InStride, l.Rows + 1);
        float* kp = k + (long)plane * p.Hk * p.Wk;
        float* yp = y + (long)plane * p.Ho * p.Wo;
        for (int oy = 0; oy < p.Ho; oy++)
        {
            float* orow = so;
            for (int v = 0; v < l.OutStride; v += V) Vector512<float>.Zero.Store(orow + v);
            for (int ky = 0; ky < p.Hk; ky++)
            {
                float* srow = si + (oy + ky) * l.InStride;
                for (int kx = 0; kx < p.Wk; kx++)
                {
                    var wv = Vector512.Create(kp[ky * p.Wk + kx]);
                    for (int v = 0; v < l.OutStride; v += V)
                        Vector512.FusedMultiplyAdd(wv, Vector512.Load(srow + kx + v), Vector512.Load(orow + v)).Store(orow + v);
                }
            }
            Buffer.MemoryCopy(orow, yp + oy * p.Wo, p.Wo * sizeof(float), p.Wo * sizeof(float));
        }
    }

    private static void BackwardSearchPlane(in XcorrParams p, in Layout l, int plane, float* k, float* g, float* ds, float* si, float* so)
    {
        // so holds the zero-padded gradient rows, si accumulates the search gradient.
        Stage(g + (long)plane * p.Ho * p.Wo, p.Ho, p.Wo, so, l.OutStride, p.Ho);
        new Span<float>(si, l.InStride * (l.Rows + 1) + V).Clear();
        float* kp = k + (long)plane * p.Hk * p.Wk;
        for (int oy = 0; oy < p.Ho; oy++)
        {
            float* grow = so + oy * l.OutStride;
            for (int ky = 0; ky < p.Hk; ky++)
            {
                float* drow = si + (oy + ky) * l.InStride;
                for (int kx = 0; kx < p.Wk; kx++)
                {
                    var wv = Vector512.Create(kp[ky * p.Wk + kx]);
                    for (int v = 0; v < l.OutStride; v += V)
                        Vector512.FusedMultiplyAdd(wv, Vector512.Load(grow + v), Vector512.Load(drow + kx + v)).Store(drow + kx + v);
                }
            }
        }
        float* dsp = ds + (long)plane * p.Hs * p.Ws;
        for (int r = 0; r < p.Hs; r++) Buffer.MemoryCopy(si + r * l.InStride, dsp + r * p.Ws, p.Ws * sizeof(float), p.Ws * sizeof(float));
    }

    private static void BackwardKernelPlane(in XcorrParams p, in Layout l, int plane, float* s, float* g, float* dk, float* si, float* so)
    {
        Stage(s + (long)plane * p.Hs * p.Ws, p.Hs, p.Ws, si, l.InStride, l.Rows + 1);
        Stage(g + (long)plane * p.Ho * p.Wo, p.Ho, p.Wo, so, l.OutStride, p.Ho);
        float* dkp = dk + (long)plane * p.Hk * p.Wk;
        for (int ky = 0; ky < p.Hk; ky++)
            for (int kx = 0; kx < p.Wk; kx++)
            {
                var acc = Vector512<float>.Zero;
                for (int oy = 0; oy < p.Ho; oy++)
                {
                    float* grow = so + oy * l.OutStride;
                    float* srow = si + (oy + ky) * l.InStride + kx;
                    for (int v = 0; v < l.OutStride; v += V)
                        acc = Vector512.FusedMultiplyAdd(Vector512.Load(grow + v), Vector512.Load(srow + v), acc);
                }
                dkp[ky * p.Wk + kx] = Vector512.Sum(acc);
            }
    }
}
