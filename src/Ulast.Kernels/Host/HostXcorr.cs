using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ulast.Kernels.Host;

/// <summary>
/// Depthwise cross-correlation on the CPU, one (sample, channel) plane at a time, each plane staged
/// into a zero-padded scratch so that every inner loop is full-width vector FMAs with no tail.
/// Forward and the search gradient share one register-blocked core (4 output rows × 32 columns held
/// in registers, one broadcast tap feeding 8 FMAs); the search gradient is the full correlation of
/// the zero-padded output gradient with the flipped kernel.
/// </summary>
public static unsafe class HostXcorr
{
    // The inner loops' vector width is HostTuning.XcorrVectorBits: 512 where the machine runs AVX-512, else 256 (AVX2).
    // Vector512 on a machine without it is emulated element by element, far below the FMA ceiling.

    private const int V = 16;        // floats per Vector512
    private const int Block = 32;    // output columns per register block
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Correlate(bool wide, float* src, int stride, float* taps, int hk, int wk, bool flip, int rows, int cols, float* dst)
    {
        if (!wide) { Correlate256(src, stride, taps, hk, wk, flip, rows, cols, dst); return; }
        // One row left over (25 = 6·4 + 1, the tracker's and trainer's output): a one-row block instead of a
        // four-row block that computes three rows for nothing.
        int blocked = rows % RowBlock == 1 ? rows - 1 : rows;
        if (blocked < rows) CorrelateRow(src + blocked * stride, taps, hk, wk, flip, stride, cols, dst + blocked * cols);
        if (hk == 7) { Correlate7(src, stride, taps, wk, flip, blocked, cols, dst); return; }
        for (int r0 = 0; r0 < blocked; r0 += RowBlock)
            for (int x0 = 0; x0 < cols; x0 += Block)
            {
                var a00 = Vector512<float>.Zero; var a01 = a00; var a10 = a00; var a11 = a00;
                var a20 = a00; var a21 = a00; var a30 = a00; var a31 = a00;
                for (int ky = 0; ky < hk; ky++)
                {
                    float* row = src + (r0 + ky) * stride + x0;
                    float* tapRow = flip ? taps + (hk - 1 - ky) * wk : taps + ky * wk;
                    for (int kx = 0; kx < wk; kx++)
                    {
                        var w = Vector512.Create(flip ? tapRow[wk - 1 - kx] : tapRow[kx]);
                        float* q = row + kx;
                        a00 = Vector512.FusedMultiplyAdd(w, Vector512.Load(q), a00);
                        a01 = Vector512.FusedMultiplyAdd(w, Vector512.Load(q + V), a01);
                        a10 = Vector512.FusedMultiplyAdd(w, Vector512.Load(q + stride), a10);
                        a11 = Vector512.FusedMultiplyAdd(w, Vector512.Load(q + stride + V), a11);
                        a20 = Vector512.FusedMultiplyAdd(w, Vector512.Load(q + 2 * stride), a20);
                        a21 = Vector512.FusedMultiplyAdd(w, Vector512.Load(q + 2 * stride + V), a21);
                        a30 = Vector512.FusedMultiplyAdd(w, Vector512.Load(q + 3 * stride), a30);
                        a31 = Vector512.FusedMultiplyAdd(w, Vector512.Load(q + 3 * stride + V), a31);
                    }
                }
                float* d = dst + r0 * cols + x0;
                a00.Store(d); a01.Store(d + V);
                a10.Store(d + cols); a11.Store(d + cols + V);
                a20.Store(d + 2 * cols); a21.Store(d + 2 * cols + V);
                a30.Store(d + 3 * cols); a31.Store(d + 3 * cols + V);
            }
    }

    // Seven-row kernels (the template's 7 cells) go through Correlate7: a column's seven taps stay in registers and each
    // input vector loaded feeds up to four output rows, instead of one load per FMA.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fma2(ref Vector512<float> a0, ref Vector512<float> a1, Vector512<float> t, Vector512<float> v0, Vector512<float> v1)
    {
        a0 = Vector512.FusedMultiplyAdd(t, v0, a0);
        a1 = Vector512.FusedMultiplyAdd(t, v1, a1);
    }

    /// <summary>
    /// <see cref="Correlate"/> for 7-row kernels, 4 output rows × 32 columns per block: for each kernel column kx the
    /// 7 taps are broadcast once, then input rows r0 … r0 + 9 are loaded once each and added into every output row
    /// they reach. Each output sums its taps kx-major, ky-minor (as <see cref="Correlate256Seven"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Correlate7(float* src, int stride, float* taps, int wk, bool flip, int rows, int cols, float* dst)
    {
        for (int r0 = 0; r0 < rows; r0 += RowBlock)
            for (int x0 = 0; x0 < cols; x0 += Block)
            {
                var a00 = Vector512<float>.Zero; var a01 = a00; var a10 = a00; var a11 = a00;
                var a20 = a00; var a21 = a00; var a30 = a00; var a31 = a00;
                for (int kx = 0; kx < wk; kx++)
                {
                    Vector512<float> Tap(int ky) => Vector512.Create(flip ? taps[(6 - ky) * wk + wk - 1 - kx] : taps[ky * wk + kx]);
                    var t0 = Tap(0); var t1 = Tap(1); var t2 = Tap(2); var t3 = Tap(3); var t4 = Tap(4); var t5 = Tap(5); var t6 = Tap(6);
                    float* q = src + r0 * stride + x0 + kx;
                    Vector512<float> v0, v1;
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V); q += stride;                          // input row 0
                    Fma2(ref a00, ref a01, t0, v0, v1);
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V); q += stride;                          // 1
                    Fma2(ref a00, ref a01, t1, v0, v1); Fma2(ref a10, ref a11, t0, v0, v1);
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V); q += stride;                          // 2
                    Fma2(ref a00, ref a01, t2, v0, v1); Fma2(ref a10, ref a11, t1, v0, v1); Fma2(ref a20, ref a21, t0, v0, v1);
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V); q += stride;                          // 3
                    Fma2(ref a00, ref a01, t3, v0, v1); Fma2(ref a10, ref a11, t2, v0, v1); Fma2(ref a20, ref a21, t1, v0, v1); Fma2(ref a30, ref a31, t0, v0, v1);
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V); q += stride;                          // 4
                    Fma2(ref a00, ref a01, t4, v0, v1); Fma2(ref a10, ref a11, t3, v0, v1); Fma2(ref a20, ref a21, t2, v0, v1); Fma2(ref a30, ref a31, t1, v0, v1);
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V); q += stride;                          // 5
                    Fma2(ref a00, ref a01, t5, v0, v1); Fma2(ref a10, ref a11, t4, v0, v1); Fma2(ref a20, ref a21, t3, v0, v1); Fma2(ref a30, ref a31, t2, v0, v1);
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V); q += stride;                          // 6
                    Fma2(ref a00, ref a01, t6, v0, v1); Fma2(ref a10, ref a11, t5, v0, v1); Fma2(ref a20, ref a21, t4, v0, v1); Fma2(ref a30, ref a31, t3, v0, v1);
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V); q += stride;                          // 7
                    Fma2(ref a10, ref a11, t6, v0, v1); Fma2(ref a20, ref a21, t5, v0, v1); Fma2(ref a30, ref a31, t4, v0, v1);
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V); q += stride;                          // 8
                    Fma2(ref a20, ref a21, t6, v0, v1); Fma2(ref a30, ref a31, t5, v0, v1);
                    v0 = Vector512.Load(q); v1 = Vector512.Load(q + V);                                       // 9
                    Fma2(ref a30, ref a31, t6, v0, v1);
                }
                float* d = dst + r0 * cols + x0;
                a00.Store(d); a01.Store(d + V);
                a10.Store(d + cols); a11.Store(d + cols + V);
                a20.Store(d + 2 * cols); a21.Store(d + 2 * cols + V);
                a30.Store(d + 3 * cols); a31.Store(d + 3 * cols + V);
            }
    }

    /// <summary>One output row of <see cref="Correlate"/> (AVX-512): even and odd taps in separate accumulators, so
    /// that four FMA chains run at once instead of two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CorrelateRow(float* src, float* taps, int hk, int wk, bool flip, int stride, int cols, float* dst)
    {
        for (int x0 = 0; x0 < cols; x0 += Block)
        {
            var e0 = Vector512<float>.Zero; var e1 = e0; var o0 = e0; var o1 = e0;
            for (int ky = 0; ky < hk; ky++)
            {
                float* row = src + ky * stride + x0;
                float* tapRow = flip ? taps + (hk - 1 - ky) * wk : taps + ky * wk;
                int kx = 0;
                for (; kx + 1 < wk; kx += 2)
                {
                    var we = Vector512.Create(flip ? tapRow[wk - 1 - kx] : tapRow[kx]);
                    var wo = Vector512.Create(flip ? tapRow[wk - 2 - kx] : tapRow[kx + 1]);
                    float* q = row + kx;
                    e0 = Vector512.FusedMultiplyAdd(we, Vector512.Load(q), e0);
                    e1 = Vector512.FusedMultiplyAdd(we, Vector512.Load(q + V), e1);
                    o0 = Vector512.FusedMultiplyAdd(wo, Vector512.Load(q + 1), o0);
                    o1 = Vector512.FusedMultiplyAdd(wo, Vector512.Load(q + 1 + V), o1);
                }
                if (kx < wk)
                {
                    var w = Vector512.Create(flip ? tapRow[wk - 1 - kx] : tapRow[kx]);
                    e0 = Vector512.FusedMultiplyAdd(w, Vector512.Load(row + kx), e0);
                    e1 = Vector512.FusedMultiplyAdd(w, Vector512.Load(row + kx + V), e1);
                }
            }
            (e0 + o0).Store(dst + x0);
            (e1 + o1).Store(dst + x0 + V);
        }
    }

    /// <summary>dk[ky][kx] = Σ_oy Σ_x g[oy][x] · s[oy+ky][x+kx], four taps of a row at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelGradient(bool wide, float* s, int sStride, float* g, int gCols, int ho, int hk, int wk, float* dk)
    {
        if (!wide) { KernelGradient256(s, sStride, g, gCols, ho, hk, wk, dk); return; }
        for (int ky = 0; ky < hk; ky++)
            for (int kx0 = 0; kx0 < wk; kx0 += 4)
            {
                var a0 = Vector512<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
                for (int oy = 0; oy < ho; oy++)
                {
                    float* grow = g + oy * gCols;
                    float* srow = s + (oy + ky) * sStride + kx0;
                    for (int x = 0; x < gCols; x += V)
                    {
                        var gv = Vector512.Load(grow + x);
                        a0 = Vector512.FusedMultiplyAdd(gv, Vector512.Load(srow + x), a0);
                        a1 = Vector512.FusedMultiplyAdd(gv, Vector512.Load(srow + x + 1), a1);
                        a2 = Vector512.FusedMultiplyAdd(gv, Vector512.Load(srow + x + 2), a2);
                        a3 = Vector512.FusedMultiplyAdd(gv, Vector512.Load(srow + x + 3), a3);
                    }
                }
                float* d = dk + ky * wk + kx0;
                d[0] = Vector512.Sum(a0);
                if (kx0 + 1 < wk) d[1] = Vector512.Sum(a1);
                if (kx0 + 2 < wk) d[2] = Vector512.Sum(a2);
                if (kx0 + 3 < wk) d[3] = Vector512.Sum(a3);
            }
    }

    /// <summary>
    /// <see cref="Correlate"/> with Vector256: 2 output rows × 32 columns in 8 accumulators (AVX2's 16 registers hold
    /// them, the tap and the loads). Rows are padded to 4 by the callers, so the last pair never leaves the scratch.
    /// Each output's sum runs over the taps in the same order as the 512-bit path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Correlate256(float* src, int stride, float* taps, int hk, int wk, bool flip, int rows, int cols, float* dst)
    {
        const int H = 8;
        // The same one-row tail as the 512-bit path, on the same rows, so that both widths sum in the same order.
        int blocked = rows % RowBlock == 1 ? rows - 1 : rows;
        if (blocked < rows) CorrelateRow256(src + blocked * stride, taps, hk, wk, flip, stride, cols, dst + blocked * cols);
        if (hk == 7) { Correlate256Seven(src, stride, taps, wk, flip, blocked, cols, dst); return; }
        for (int r0 = 0; r0 < blocked; r0 += 2)
            for (int x0 = 0; x0 < cols; x0 += Block)
            {
                var a00 = Vector256<float>.Zero; var a01 = a00; var a02 = a00; var a03 = a00;
                var a10 = a00; var a11 = a00; var a12 = a00; var a13 = a00;
                for (int ky = 0; ky < hk; ky++)
                {
                    float* row = src + (r0 + ky) * stride + x0;
                    float* tapRow = flip ? taps + (hk - 1 - ky) * wk : taps + ky * wk;
                    for (int kx = 0; kx < wk; kx++)
                    {
                        var w = Vector256.Create(flip ? tapRow[wk - 1 - kx] : tapRow[kx]);
                        float* q = row + kx;
                        a00 = Vector256.FusedMultiplyAdd(w, Vector256.Load(q), a00);
                        a01 = Vector256.FusedMultiplyAdd(w, Vector256.Load(q + H), a01);
                        a02 = Vector256.FusedMultiplyAdd(w, Vector256.Load(q + 2 * H), a02);
                        a03 = Vector256.FusedMultiplyAdd(w, Vector256.Load(q + 3 * H), a03);
                        a10 = Vector256.FusedMultiplyAdd(w, Vector256.Load(q + stride), a10);
                        a11 = Vector256.FusedMultiplyAdd(w, Vector256.Load(q + stride + H), a11);
                        a12 = Vector256.FusedMultiplyAdd(w, Vector256.Load(q + stride + 2 * H), a12);
                        a13 = Vector256.FusedMultiplyAdd(w, Vector256.Load(q + stride + 3 * H), a13);
                    }
                }
                float* d = dst + r0 * cols + x0;
                a00.Store(d); a01.Store(d + H); a02.Store(d + 2 * H); a03.Store(d + 3 * H);
                a10.Store(d + cols); a11.Store(d + cols + H); a12.Store(d + cols + 2 * H); a13.Store(d + cols + 3 * H);
            }
    }

    /// <summary>
    /// <see cref="Correlate7"/> at 256 bits: 2 output rows × 32 columns per block, the same kx-major, ky-minor order per
    /// output (so both widths give the same bits), one column vector loaded at a time (AVX2 has 16 registers).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Correlate256Seven(float* src, int stride, float* taps, int wk, bool flip, int rows, int cols, float* dst)
    {
        const int H = 8;
        for (int r0 = 0; r0 < rows; r0 += 2)
            for (int x0 = 0; x0 < cols; x0 += Block)
            {
                var a00 = Vector256<float>.Zero; var a01 = a00; var a02 = a00; var a03 = a00;
                var a10 = a00; var a11 = a00; var a12 = a00; var a13 = a00;
                for (int kx = 0; kx < wk; kx++)
                {
                    Vector256<float> Tap(int ky) => Vector256.Create(flip ? taps[(6 - ky) * wk + wk - 1 - kx] : taps[ky * wk + kx]);
                    var t0 = Tap(0); var t1 = Tap(1); var t2 = Tap(2); var t3 = Tap(3); var t4 = Tap(4); var t5 = Tap(5); var t6 = Tap(6);
                    float* q = src + r0 * stride + x0 + kx;
                    for (int j = 0; j < 8; j++, q += stride)
                    {
                        // input row j reaches output row 0 through tap j and output row 1 through tap j − 1
                        var ta = j switch { 0 => t0, 1 => t1, 2 => t2, 3 => t3, 4 => t4, 5 => t5, _ => t6 };
                        var tb = j switch { 1 => t0, 2 => t1, 3 => t2, 4 => t3, 5 => t4, 6 => t5, _ => t6 };
                        bool top = j < 7, bottom = j > 0;
                        var v = Vector256.Load(q);
                        if (top) a00 = Vector256.FusedMultiplyAdd(ta, v, a00);
                        if (bottom) a10 = Vector256.FusedMultiplyAdd(tb, v, a10);
                        v = Vector256.Load(q + H);
                        if (top) a01 = Vector256.FusedMultiplyAdd(ta, v, a01);
                        if (bottom) a11 = Vector256.FusedMultiplyAdd(tb, v, a11);
                        v = Vector256.Load(q + 2 * H);
                        if (top) a02 = Vector256.FusedMultiplyAdd(ta, v, a02);
                        if (bottom) a12 = Vector256.FusedMultiplyAdd(tb, v, a12);
                        v = Vector256.Load(q + 3 * H);
                        if (top) a03 = Vector256.FusedMultiplyAdd(ta, v, a03);
                        if (bottom) a13 = Vector256.FusedMultiplyAdd(tb, v, a13);
                    }
                }
                float* d = dst + r0 * cols + x0;
                a00.Store(d); a01.Store(d + H); a02.Store(d + 2 * H); a03.Store(d + 3 * H);
                a10.Store(d + cols); a11.Store(d + cols + H); a12.Store(d + cols + 2 * H); a13.Store(d + cols + 3 * H);
            }
    }

    /// <summary>One output row of <see cref="Correlate256"/>: the taps' order of <see cref="CorrelateRow"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CorrelateRow256(float* src, float* taps, int hk, int wk, bool flip, int stride, int cols, float* dst)
    {
        const int H = 8;
        for (int x0 = 0; x0 < cols; x0 += Block)
            for (int h = 0; h < Block; h += 2 * H)
            {
                var e0 = Vector256<float>.Zero; var e1 = e0; var o0 = e0; var o1 = e0;
                for (int ky = 0; ky < hk; ky++)
                {
                    float* row = src + ky * stride + x0 + h;
                    float* tapRow = flip ? taps + (hk - 1 - ky) * wk : taps + ky * wk;
                    int kx = 0;
                    for (; kx + 1 < wk; kx += 2)
                    {
                        var we = Vector256.Create(flip ? tapRow[wk - 1 - kx] : tapRow[kx]);
                        var wo = Vector256.Create(flip ? tapRow[wk - 2 - kx] : tapRow[kx + 1]);
                        float* q = row + kx;
                        e0 = Vector256.FusedMultiplyAdd(we, Vector256.Load(q), e0);
                        e1 = Vector256.FusedMultiplyAdd(we, Vector256.Load(q + H), e1);
                        o0 = Vector256.FusedMultiplyAdd(wo, Vector256.Load(q + 1), o0);
                        o1 = Vector256.FusedMultiplyAdd(wo, Vector256.Load(q + 1 + H), o1);
                    }
                    if (kx < wk)
                    {
                        var w = Vector256.Create(flip ? tapRow[wk - 1 - kx] : tapRow[kx]);
                        e0 = Vector256.FusedMultiplyAdd(w, Vector256.Load(row + kx), e0);
                        e1 = Vector256.FusedMultiplyAdd(w, Vector256.Load(row + kx + H), e1);
                    }
                }
                (e0 + o0).Store(dst + x0 + h);
                (e1 + o1).Store(dst + x0 + h + H);
            }
    }

    /// <summary><see cref="KernelGradient"/> with Vector256: each 16-float piece of a row as two halves, eight accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelGradient256(float* s, int sStride, float* g, int gCols, int ho, int hk, int wk, float* dk)
    {
        const int H = 8;
        for (int ky = 0; ky < hk; ky++)
            for (int kx0 = 0; kx0 < wk; kx0 += 4)
            {
                var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
                var b0 = a0; var b1 = a0; var b2 = a0; var b3 = a0;
                for (int oy = 0; oy < ho; oy++)
                {
                    float* grow = g + oy * gCols;
                    float* srow = s + (oy + ky) * sStride + kx0;
                    for (int x = 0; x < gCols; x += V)
                    {
                        var gl = Vector256.Load(grow + x);
                        var gh = Vector256.Load(grow + x + H);
                        a0 = Vector256.FusedMultiplyAdd(gl, Vector256.Load(srow + x), a0);
                        a1 = Vector256.FusedMultiplyAdd(gl, Vector256.Load(srow + x + 1), a1);
                        a2 = Vector256.FusedMultiplyAdd(gl, Vector256.Load(srow + x + 2), a2);
                        a3 = Vector256.FusedMultiplyAdd(gl, Vector256.Load(srow + x + 3), a3);
                        b0 = Vector256.FusedMultiplyAdd(gh, Vector256.Load(srow + x + H), b0);
                        b1 = Vector256.FusedMultiplyAdd(gh, Vector256.Load(srow + x + H + 1), b1);
                        b2 = Vector256.FusedMultiplyAdd(gh, Vector256.Load(srow + x + H + 2), b2);
                        b3 = Vector256.FusedMultiplyAdd(gh, Vector256.Load(srow + x + H + 3), b3);
                    }
                }
                float* d = dk + ky * wk + kx0;
                d[0] = Vector256.Sum(a0 + b0);
                if (kx0 + 1 < wk) d[1] = Vector256.Sum(a1 + b1);
                if (kx0 + 2 < wk) d[2] = Vector256.Sum(a2 + b2);
                if (kx0 + 3 < wk) d[3] = Vector256.Sum(a3 + b3);
            }
    }
}
