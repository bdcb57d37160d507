using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ulast.Kernels.Host;

/// <summary>
/// Depthwise cross-correlation on the CPU, one (sample, channel) plane at a time, each plane staged
/// into a zero-padded scratch so that every inner loop is full-width vector FMAs with no tail.
/// Forward and the search gradient share one register-blocked core (4 output rows × 2 vectors held
/// in registers, one broadcast tap feeding 8 FMAs); the search gradient is the full correlation of
/// the zero-padded output gradient with the flipped kernel. Each routine is one body for AVX-512 and
/// AVX2, generic over the vector width (<see cref="IFloatLanes{TVec}"/>).
/// </summary>
public static unsafe class HostXcorr
{
    // The inner loops' vector width is HostTuning.XcorrVectorBits: 512 where the machine runs AVX-512, else 256 (AVX2).
    // Vector512 on a machine without it is emulated element by element, far below the FMA ceiling.

    private const int V = 16;        // columns the kernel gradient's inner loop steps by; padding past a row's end
    private const int Block = 32;    // staged rows are a multiple of this many columns (a register block's width at 512 bits)
    private const int RowBlock = 4;  // output rows per register block

    private static int RoundUp(int v, int m) => (v + m - 1) / m * m;

    public static void Forward(HostTuning tuning, XcorrParams p, float* s, float* k, float* y)
    {
        int outCols = RoundUp(p.Wo, Block), inStride = outCols + p.Wk - 1 + V, inRows = p.Ho + p.Hk + RowBlock;
        bool wide = tuning.XcorrVectorBits == 512;
        ForEachPlane(tuning.Threads, p, inStride * inRows, outCols * RoundUp(p.Ho, RowBlock), (plane, si, so) =>
        {
            Stage(s + (long)plane * p.Hs * p.Ws, p.Hs, p.Ws, si, inStride, inRows, 0, 0);
            Correlate(wide, si, inStride, k + (long)plane * p.Hk * p.Wk, p.Hk, p.Wk, flip: false, p.Ho, outCols, so);
            Unstage(so, outCols, y + (long)plane * p.Ho * p.Wo, p.Ho, p.Wo);
        });
    }

    public static void BackwardSearch(HostTuning tuning, XcorrParams p, float* k, float* g, float* ds)
    {
        int outCols = RoundUp(p.Ws, Block), inStride = outCols + p.Wk - 1 + V, inRows = p.Hs + p.Hk + RowBlock;
        bool wide = tuning.XcorrVectorBits == 512;
        ForEachPlane(tuning.Threads, p, inStride * inRows, outCols * RoundUp(p.Hs, RowBlock), (plane, si, so) =>
        {
            Stage(g + (long)plane * p.Ho * p.Wo, p.Ho, p.Wo, si, inStride, inRows, p.Hk - 1, p.Wk - 1);
            Correlate(wide, si, inStride, k + (long)plane * p.Hk * p.Wk, p.Hk, p.Wk, flip: true, p.Hs, outCols, so);
            Unstage(so, outCols, ds + (long)plane * p.Hs * p.Ws, p.Hs, p.Ws);
        });
    }

    public static void BackwardKernel(HostTuning tuning, XcorrParams p, float* s, float* g, float* dk)
    {
        int gCols = RoundUp(p.Wo, V), sStride = gCols + p.Wk - 1 + V, sRows = p.Hs + 1;
        bool wide = tuning.XcorrVectorBits == 512;
        ForEachPlane(tuning.Threads, p, sStride * sRows, gCols * p.Ho, (plane, si, so) =>
        {
            Stage(s + (long)plane * p.Hs * p.Ws, p.Hs, p.Ws, si, sStride, sRows, 0, 0);
            Stage(g + (long)plane * p.Ho * p.Wo, p.Ho, p.Wo, so, gCols, p.Ho, 0, 0);
            KernelGradient(wide, si, sStride, so, gCols, p.Ho, p.Hk, p.Wk, dk + (long)plane * p.Hk * p.Wk);
        });
    }

    private static void ForEachPlane(int maxThreads, XcorrParams p, int inFloats, int outFloats, PlaneBody body)
    {
        int planes = p.B * p.C;
        int threads = Math.Max(1, Math.Min(maxThreads, planes));
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            // Zeroed once: every plane is staged at the same place with the same size, so the padding around it
            // stays zero and the planes need no clearing (clearing them showed in the forward's time).
            var sin = GC.AllocateArray<float>(inFloats + 2 * V, pinned: true);
            var sout = GC.AllocateArray<float>(outFloats + 2 * V, pinned: true);
            fixed (float* si = sin, so = sout)
                for (int pl = (int)((long)planes * t / threads); pl < (int)((long)planes * (t + 1) / threads); pl++)
                    body(pl, si, so);
        });
    }

    private delegate void PlaneBody(int plane, float* scratchIn, float* scratchOut);

    /// <summary>
    /// Copies an h×w plane into a scratch of the given stride and rows, offset by (top, left). The scratch's padding
    /// is zero from its allocation and never written (see <see cref="ForEachPlane"/>).
    /// </summary>
    private static void Stage(float* src, int h, int w, float* dst, int stride, int rows, int top, int left)
    {
        for (int r = 0; r < h; r++) Buffer.MemoryCopy(src + r * w, dst + (r + top) * stride + left, w * sizeof(float), w * sizeof(float));
    }

    private static void Unstage(float* src, int stride, float* dst, int h, int w)
    {
        for (int r = 0; r < h; r++) Buffer.MemoryCopy(src + r * stride, dst + r * w, w * sizeof(float), w * sizeof(float));
    }

    /// <summary>dst[r][x] = Σ taps[ky][kx] · src[r+ky][x+kx] for r &lt; rows (rounded up to 4), x &lt; cols (a multiple of 32).</summary>
    private static void Correlate(bool wide, float* src, int stride, float* taps, int hk, int wk, bool flip, int rows, int cols, float* dst)
    {
        if (wide) Correlate<Vector512<float>, Lanes512>(src, stride, taps, hk, wk, flip, rows, cols, dst);
        else Correlate<Vector256<float>, Lanes256>(src, stride, taps, hk, wk, flip, rows, cols, dst);
    }

    // Every routine below is one body for both widths: a register block is 4 output rows × 2 vectors (32 columns at
    // 512 bits, 16 at 256), so that AVX2's 16 registers hold its 8 accumulators, the taps' broadcast and the loads.
    // Each output sums its taps in the same order at both widths, so both give the same bits.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Correlate<TVec, L>(float* src, int stride, float* taps, int hk, int wk, bool flip, int rows, int cols, float* dst)
        where TVec : struct where L : struct, IFloatLanes<TVec>
    {
        int n = L.Count;
        // One row left over (25 = 6·4 + 1, the tracker's and trainer's output): a one-row block instead of a
        // four-row block that computes three rows for nothing.
        int blocked = rows % RowBlock == 1 ? rows - 1 : rows;
        if (blocked < rows) CorrelateRow<TVec, L>(src + blocked * stride, taps, hk, wk, flip, stride, cols, dst + blocked * cols);
        if (hk == 7) { Correlate7<TVec, L>(src, stride, taps, wk, flip, blocked, cols, dst); return; }
        for (int r0 = 0; r0 < blocked; r0 += RowBlock)
            for (int x0 = 0; x0 < cols; x0 += 2 * n)
            {
                var a00 = L.Zero; var a01 = a00; var a10 = a00; var a11 = a00;
                var a20 = a00; var a21 = a00; var a30 = a00; var a31 = a00;
                for (int ky = 0; ky < hk; ky++)
                {
                    float* row = src + (r0 + ky) * stride + x0;
                    float* tapRow = flip ? taps + (hk - 1 - ky) * wk : taps + ky * wk;
                    for (int kx = 0; kx < wk; kx++)
                    {
                        var w = L.Broadcast(flip ? tapRow[wk - 1 - kx] : tapRow[kx]);
                        float* q = row + kx;
                        a00 = L.Fma(w, L.Load(q), a00);
                        a01 = L.Fma(w, L.Load(q + n), a01);
                        a10 = L.Fma(w, L.Load(q + stride), a10);
                        a11 = L.Fma(w, L.Load(q + stride + n), a11);
                        a20 = L.Fma(w, L.Load(q + 2 * stride), a20);
                        a21 = L.Fma(w, L.Load(q + 2 * stride + n), a21);
                        a30 = L.Fma(w, L.Load(q + 3 * stride), a30);
                        a31 = L.Fma(w, L.Load(q + 3 * stride + n), a31);
                    }
                }
                Store4x2<TVec, L>(dst + r0 * cols + x0, cols, a00, a01, a10, a11, a20, a21, a30, a31);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4x2<TVec, L>(float* d, int cols, TVec a00, TVec a01, TVec a10, TVec a11, TVec a20, TVec a21, TVec a30, TVec a31)
        where TVec : struct where L : struct, IFloatLanes<TVec>
    {
        int n = L.Count;
        L.Store(a00, d); L.Store(a01, d + n);
        L.Store(a10, d + cols); L.Store(a11, d + cols + n);
        L.Store(a20, d + 2 * cols); L.Store(a21, d + 2 * cols + n);
        L.Store(a30, d + 3 * cols); L.Store(a31, d + 3 * cols + n);
    }

    // Seven-row kernels (the template's 7 cells) go through Correlate7: a column's seven taps stay in registers and each
    // input vector loaded feeds up to four output rows, instead of one load per FMA.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fma2<TVec, L>(ref TVec a0, ref TVec a1, TVec t, TVec v0, TVec v1)
        where TVec : struct where L : struct, IFloatLanes<TVec>
    {
        a0 = L.Fma(t, v0, a0);
        a1 = L.Fma(t, v1, a1);
    }

    /// <summary>
    /// <see cref="Correlate{TVec, L}"/> for 7-row kernels, 4 output rows × 2 vectors per block: for each kernel column kx
    /// the 7 taps are broadcast once, then input rows r0 … r0 + 9 are loaded once each and added into every output row
    /// they reach. Each output sums its taps kx-major, ky-minor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Correlate7<TVec, L>(float* src, int stride, float* taps, int wk, bool flip, int rows, int cols, float* dst)
        where TVec : struct where L : struct, IFloatLanes<TVec>
    {
        int n = L.Count;
        for (int r0 = 0; r0 < rows; r0 += RowBlock)
            for (int x0 = 0; x0 < cols; x0 += 2 * n)
            {
                var a00 = L.Zero; var a01 = a00; var a10 = a00; var a11 = a00;
                var a20 = a00; var a21 = a00; var a30 = a00; var a31 = a00;
                for (int kx = 0; kx < wk; kx++)
                {
                    TVec Tap(int ky) => L.Broadcast(flip ? taps[(6 - ky) * wk + wk - 1 - kx] : taps[ky * wk + kx]);
                    var t0 = Tap(0); var t1 = Tap(1); var t2 = Tap(2); var t3 = Tap(3); var t4 = Tap(4); var t5 = Tap(5); var t6 = Tap(6);
                    float* q = src + r0 * stride + x0 + kx;
                    TVec v0, v1;
                    v0 = L.Load(q); v1 = L.Load(q + n); q += stride;                                          // input row 0
                    Fma2<TVec, L>(ref a00, ref a01, t0, v0, v1);
                    v0 = L.Load(q); v1 = L.Load(q + n); q += stride;                                          // 1
                    Fma2<TVec, L>(ref a00, ref a01, t1, v0, v1); Fma2<TVec, L>(ref a10, ref a11, t0, v0, v1);
                    v0 = L.Load(q); v1 = L.Load(q + n); q += stride;                                          // 2
                    Fma2<TVec, L>(ref a00, ref a01, t2, v0, v1); Fma2<TVec, L>(ref a10, ref a11, t1, v0, v1); Fma2<TVec, L>(ref a20, ref a21, t0, v0, v1);
                    v0 = L.Load(q); v1 = L.Load(q + n); q += stride;                                          // 3
                    Fma2<TVec, L>(ref a00, ref a01, t3, v0, v1); Fma2<TVec, L>(ref a10, ref a11, t2, v0, v1); Fma2<TVec, L>(ref a20, ref a21, t1, v0, v1); Fma2<TVec, L>(ref a30, ref a31, t0, v0, v1);
                    v0 = L.Load(q); v1 = L.Load(q + n); q += stride;                                          // 4
                    Fma2<TVec, L>(ref a00, ref a01, t4, v0, v1); Fma2<TVec, L>(ref a10, ref a11, t3, v0, v1); Fma2<TVec, L>(ref a20, ref a21, t2, v0, v1); Fma2<TVec, L>(ref a30, ref a31, t1, v0, v1);
                    v0 = L.Load(q); v1 = L.Load(q + n); q += stride;                                          // 5
                    Fma2<TVec, L>(ref a00, ref a01, t5, v0, v1); Fma2<TVec, L>(ref a10, ref a11, t4, v0, v1); Fma2<TVec, L>(ref a20, ref a21, t3, v0, v1); Fma2<TVec, L>(ref a30, ref a31, t2, v0, v1);
                    v0 = L.Load(q); v1 = L.Load(q + n); q += stride;                                          // 6
                    Fma2<TVec, L>(ref a00, ref a01, t6, v0, v1); Fma2<TVec, L>(ref a10, ref a11, t5, v0, v1); Fma2<TVec, L>(ref a20, ref a21, t4, v0, v1); Fma2<TVec, L>(ref a30, ref a31, t3, v0, v1);
                    v0 = L.Load(q); v1 = L.Load(q + n); q += stride;                                          // 7
                    Fma2<TVec, L>(ref a10, ref a11, t6, v0, v1); Fma2<TVec, L>(ref a20, ref a21, t5, v0, v1); Fma2<TVec, L>(ref a30, ref a31, t4, v0, v1);
                    v0 = L.Load(q); v1 = L.Load(q + n); q += stride;                                          // 8
                    Fma2<TVec, L>(ref a20, ref a21, t6, v0, v1); Fma2<TVec, L>(ref a30, ref a31, t5, v0, v1);
                    v0 = L.Load(q); v1 = L.Load(q + n);                                                       // 9
                    Fma2<TVec, L>(ref a30, ref a31, t6, v0, v1);
                }
                Store4x2<TVec, L>(dst + r0 * cols + x0, cols, a00, a01, a10, a11, a20, a21, a30, a31);
            }
    }

    /// <summary>One output row of <see cref="Correlate{TVec, L}"/>: even and odd taps in separate accumulators, so that
    /// four FMA chains run at once instead of two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CorrelateRow<TVec, L>(float* src, float* taps, int hk, int wk, bool flip, int stride, int cols, float* dst)
        where TVec : struct where L : struct, IFloatLanes<TVec>
    {
        int n = L.Count;
        for (int x0 = 0; x0 < cols; x0 += 2 * n)
        {
            var e0 = L.Zero; var e1 = e0; var o0 = e0; var o1 = e0;
            for (int ky = 0; ky < hk; ky++)
            {
                float* row = src + ky * stride + x0;
                float* tapRow = flip ? taps + (hk - 1 - ky) * wk : taps + ky * wk;
                int kx = 0;
                for (; kx + 1 < wk; kx += 2)
                {
                    var we = L.Broadcast(flip ? tapRow[wk - 1 - kx] : tapRow[kx]);
                    var wo = L.Broadcast(flip ? tapRow[wk - 2 - kx] : tapRow[kx + 1]);
                    float* q = row + kx;
                    e0 = L.Fma(we, L.Load(q), e0);
                    e1 = L.Fma(we, L.Load(q + n), e1);
                    o0 = L.Fma(wo, L.Load(q + 1), o0);
                    o1 = L.Fma(wo, L.Load(q + 1 + n), o1);
                }
                if (kx < wk)
                {
                    var w = L.Broadcast(flip ? tapRow[wk - 1 - kx] : tapRow[kx]);
                    e0 = L.Fma(w, L.Load(row + kx), e0);
                    e1 = L.Fma(w, L.Load(row + kx + n), e1);
                }
            }
            L.Store(L.Add(e0, o0), dst + x0);
            L.Store(L.Add(e1, o1), dst + x0 + n);
        }
    }

    /// <summary>dk[ky][kx] = Σ_oy Σ_x g[oy][x] · s[oy+ky][x+kx], four taps of a row at a time, 16 columns per step.</summary>
    private static void KernelGradient(bool wide, float* s, int sStride, float* g, int gCols, int ho, int hk, int wk, float* dk)
    {
        if (wide) KernelGradient<Vector512<float>, Lanes512>(s, sStride, g, gCols, ho, hk, wk, dk);
        else KernelGradient<Vector256<float>, Lanes256>(s, sStride, g, gCols, ho, hk, wk, dk);
    }

    /// <summary>
    /// <see cref="KernelGradient(bool, float*, int, float*, int, int, int, int, float*)"/> at one width. A 16-column
    /// step is one vector at 512 bits and two at 256, each half in its own four accumulators (eight FMA chains).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelGradient<TVec, L>(float* s, int sStride, float* g, int gCols, int ho, int hk, int wk, float* dk)
        where TVec : struct where L : struct, IFloatLanes<TVec>
    {
        int n = L.Count;
        bool halves = n < V;
        for (int ky = 0; ky < hk; ky++)
            for (int kx0 = 0; kx0 < wk; kx0 += 4)
            {
                var a0 = L.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
                var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
                for (int oy = 0; oy < ho; oy++)
                {
                    float* grow = g + oy * gCols;
                    float* srow = s + (oy + ky) * sStride + kx0;
                    for (int x = 0; x < gCols; x += V)
                    {
                        var gl = L.Load(grow + x);
                        a0 = L.Fma(gl, L.Load(srow + x), a0);
                        a1 = L.Fma(gl, L.Load(srow + x + 1), a1);
                        a2 = L.Fma(gl, L.Load(srow + x + 2), a2);
                        a3 = L.Fma(gl, L.Load(srow + x + 3), a3);
                        if (halves)
                        {
                            var gh = L.Load(grow + x + n);
                            b0 = L.Fma(gh, L.Load(srow + x + n), b0);
                            b1 = L.Fma(gh, L.Load(srow + x + n + 1), b1);
                            b2 = L.Fma(gh, L.Load(srow + x + n + 2), b2);
                            b3 = L.Fma(gh, L.Load(srow + x + n + 3), b3);
                        }
                    }
                }
                if (halves) { a0 = L.Add(a0, b0); a1 = L.Add(a1, b1); a2 = L.Add(a2, b2); a3 = L.Add(a3, b3); }
                float* d = dk + ky * wk + kx0;
                d[0] = L.Sum(a0);
                if (kx0 + 1 < wk) d[1] = L.Sum(a1);
                if (kx0 + 2 < wk) d[2] = L.Sum(a2);
                if (kx0 + 3 < wk) d[3] = L.Sum(a3);
            }
    }
}
