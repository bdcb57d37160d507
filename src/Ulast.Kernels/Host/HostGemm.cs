using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ulast.Kernels.Host;

/// <summary>
/// Single-precision GEMM for the CPU: C = op(A)·op(B) (+ C when accumulating), row-major.
/// Goto-style blocking: B is packed into NR-wide column slivers (or, for GEMMs of few rows, read in place:
/// <see cref="HostTuning.GemmDirectBMaxRows"/>), A into MR-tall row slivers, and an MR×NR register-blocked micro-kernel does
/// the FMAs (Vector512 → 8×32, Vector256 → 8×16, one body for both: <see cref="IFloatLanes{TVec}"/>; scalar).
/// </summary>
public static unsafe class HostGemm
{
    private const int MR = 8;
    private const int KC = 256;
    private const int MC = 128;

    /// <summary>The micro-kernel's width for a vector path (<see cref="HostTuning.GemmVectorBits"/>): 512 → 32, 256 → 16, scalar → 8.</summary>
    private static int Nr(int vectorBits) => vectorBits == 512 ? 32 : vectorBits == 256 ? 16 : 8;

    /// <param name="threads">Column blocks are spread over this many threads (1 = the calling thread only).</param>
    public static void Gemm(HostTuning tuning, int m, int n, int k, float* a, int lda, bool transA, float* b, int ldb, bool transB,
        float* c, int ldc, bool accumulate, int threads = 1) =>
        Gemm(tuning, m, n, k, a, lda, transA, b, ldb, null, transB, c, ldc, accumulate, threads);

    /// <summary>
    /// The same with B produced on demand by <paramref name="rows"/>: B = R (k×n) or, with transB, Rᵀ, where R's
    /// rows come from <see cref="GemmRows.Row"/> — e.g. an im2col that is never stored whole (an implicit GEMM).
    /// </summary>
    public static void Gemm(HostTuning tuning, int m, int n, int k, float* a, int lda, bool transA, GemmRows rows, bool transB,
        float* c, int ldc, bool accumulate, int threads = 1) =>
        Gemm(tuning, m, n, k, a, lda, transA, null, 0, rows, transB, c, ldc, accumulate, threads);

    /// <summary>Floats of op(A) (m × k) packed by <see cref="PackAOnce"/>.</summary>
    public static long PackedASize(int m, int k) => (long)((m + MR - 1) / MR * MR) * k;

    /// <summary>
    /// Packs op(A) once, k block by k block, as the micro-kernel reads it, for <see cref="GemmPackedA"/>: an A that
    /// many small GEMMs share (Winograd's transformed weights) would otherwise be packed again by each of them.
    /// </summary>
    public static void PackAOnce(HostTuning tuning, int m, int k, float* a, int lda, bool transA, float* packed)
    {
        long mPadded = (m + MR - 1) / MR * MR;
        for (int k0 = 0; k0 < k; k0 += KC) PackA(tuning.GemmVectorBits, a, lda, transA, 0, m, k0, Math.Min(KC, k - k0), packed + k0 * mPadded);
    }

    /// <summary>C = A·op(B) (+ C) with A packed by <see cref="PackAOnce"/> with the same m and k.</summary>
    public static void GemmPackedA(HostTuning tuning, int m, int n, int k, float* packedA, float* b, int ldb, bool transB, float* c, int ldc, bool accumulate, int threads = 1) =>
        Gemm(tuning, m, n, k, packedA, 0, false, b, ldb, null, transB, c, ldc, accumulate, threads, packed: true);

    private static void Gemm(HostTuning tuning, int m, int n, int k, float* a, int lda, bool transA, float* b, int ldb, GemmRows? rows, bool transB,
        float* c, int ldc, bool accumulate, int threads, bool packed = false)
    {
        if (m <= 0 || n <= 0) return;
        if (k <= 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) new Span<float>(c + (long)i * ldc, n).Clear();
            return;
        }
        int nr = Nr(tuning.GemmVectorBits);
        int slivers = (n + nr - 1) / nr;
        threads = Math.Max(1, Math.Min(threads, slivers));
        if (threads == 1) { GemmColumns(tuning, m, 0, n, k, a, lda, transA, b, ldb, rows, transB, c, ldc, accumulate, packed); return; }
        int per = (slivers + threads - 1) / threads;
        IntPtr pa = (IntPtr)a, pb = (IntPtr)b, pc = (IntPtr)c;
        Parallel.For(0, threads, t =>
        {
            int j0 = t * per * nr, j1 = Math.Min(n, (t + 1) * per * nr);
            if (j0 < j1) GemmColumns(tuning, m, j0, j1, k, (float*)pa, lda, transA, (float*)pb, ldb, rows, transB, (float*)pc, ldc, accumulate, packed);
        });
    }

    // HostTuning.GemmPackedBBytes: bytes of packed B that one pass over A works on (a share of this core's L2, beside
    // A's MC×KC block). Packing the thread's whole column range at once sent every packed sliver out to L3 and back
    // before the micro-kernel read it.

    // HostTuning.GemmDirectBMaxRows: GEMMs with at most this many rows (`small`'s forward convolutions: 32–128 output
    // channels) read B's full slivers where B lies instead of packing them first (the AVX-512 path, B not transposed):
    // with so few rows each packed sliver served only 4–16 micro-kernel calls. Not on the AVX2 path: its micro-kernel
    // reads the sliver twice (two 4-row passes), and in place, rows far apart, that was slower (docs/notebook/experiments.md).


    private static void GemmColumns(HostTuning tuning, int m, int j0, int j1, int k, float* a, int lda, bool transA, float* b, int ldb, GemmRows? rows,
        bool transB, float* c, int ldc, bool accumulate, bool packed)
    {
        int nr = Nr(tuning.GemmVectorBits), vectorBits = tuning.GemmVectorBits;
        int slivers = (j1 - j0 + nr - 1) / nr;
        int most = Math.Clamp(tuning.GemmPackedBBytes / (nr * Math.Min(KC, k) * sizeof(float)), 1, slivers);
        int chunks = (slivers + most - 1) / most;          // as few as fit the budget,
        int chunk = (slivers + chunks - 1) / chunks;       // of (nearly) equal size: slivers packed at a time
        int mPadded = (m + MR - 1) / MR * MR;
        using var bLease = HostScratch.Rent(HostScratch.Use.PackB, (long)chunk * nr * KC);
        using var aLease = HostScratch.Rent(HostScratch.Use.PackA, packed ? 0 : (long)mPadded * KC);
        using var rowLease = HostScratch.Rent(HostScratch.Use.Row, rows is null ? 0 : Math.Max(chunk * nr, 8 * KC));
        float* bp = bLease.Ptr, ap = aLease.Ptr;
        float* tile = stackalloc float[MR * 32];
        for (int k0 = 0; k0 < k; k0 += KC)
        {
            int kc = Math.Min(KC, k - k0);
            bool acc = accumulate || k0 > 0;
            if (packed) ap = a + (long)k0 * mPadded;
            else PackA(vectorBits, a, lda, transA, 0, m, k0, kc, ap);   // all of op(A)'s rows once per k block; every column chunk reuses them
            for (int c0 = j0; c0 < j1; c0 += chunk * nr)
            {
                int nc = Math.Min(chunk * nr, j1 - c0), chunkSlivers = (nc + nr - 1) / nr;
                // Direct: only a last, partial sliver is packed (at the start of the buffer), the micro-kernel reads the rest in place.
                bool direct = rows is null && !transB && nr == 32 && m <= tuning.GemmDirectBMaxRows;
                if (direct) { if (nc % nr != 0) PackB(vectorBits, b, ldb, false, k0, kc, c0 + nc / nr * nr, nc % nr, nr, bp); }
                else if (rows is null) PackB(vectorBits, b, ldb, transB, k0, kc, c0, nc, nr, bp);
                else PackB(vectorBits, rows, rowLease.Ptr, transB, k0, kc, c0, nc, nr, bp);
                for (int i0 = 0; i0 < m; i0 += MC)
                {
                    int mc = Math.Min(MC, m - i0);
                    for (int s = 0; s < chunkSlivers; s++)
                    {
                        int jj = c0 + s * nr, nw = Math.Min(nr, c0 + nc - jj);
                        for (int r = 0; r < mc; r += MR)
                        {
                            int mh = Math.Min(MR, mc - r);
                            float* cTile = c + (long)(i0 + r) * ldc + jj;
                            bool full = mh == MR && nw == nr;
                            float* dst = full ? cTile : tile;
                            int ldd = full ? ldc : nr;
                            if (!full)
                                for (int y = 0; y < MR; y++)
                                    for (int x = 0; x < nr; x++)
                                        tile[y * nr + x] = acc && y < mh && x < nw ? cTile[(long)y * ldc + x] : 0f;
                            bool load = acc || !full;
                            float* aS = ap + (long)(i0 + r) * kc, bS = bp + (long)s * nr * kc;
                            if (direct) Micro<Vector512<float>, Lanes512>(kc, aS, nw == nr ? b + (long)k0 * ldb + jj : bp, nw == nr ? ldb : nr, dst, ldd, load);
                            else if (nr == 32) Micro<Vector512<float>, Lanes512>(kc, aS, bS, nr, dst, ldd, load);
                            else if (nr == 16) Micro<Vector256<float>, Lanes256>(kc, aS, bS, nr, dst, ldd, load);
                            else MicroScalar(kc, aS, bS, dst, ldd, load);
                            if (!full)
                                for (int y = 0; y < mh; y++)
                                    for (int x = 0; x < nw; x++)
                                        cTile[(long)y * ldc + x] = tile[y * nr + x];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Packs rows [i0, i0+mc) × k [k0, k0+kc) of op(A) into MR-tall slivers, k-major, zero-padded. Full slivers move
    /// as vectors: Aᵀ's 8 rows of a k are contiguous (one load), A's are transposed 8×8 at a time in registers. A
    /// scalar copy, one element at a time, showed in a tracked frame's profile (the weights are A, packed on every call).
    /// </summary>
    private static void PackA(int vectorBits, float* a, int lda, bool transA, int i0, int mc, int k0, int kc, float* ap)
    {
        for (int r0 = 0; r0 < mc; r0 += MR)
        {
            float* dst = ap + (long)r0 * kc;
            int mh = Math.Min(MR, mc - r0);
            if (mh == MR && vectorBits > 0 && Avx.IsSupported)
            {
                if (transA)
                    for (int kk = 0; kk < kc; kk++) Vector256.Load(a + (long)(k0 + kk) * lda + i0 + r0).Store(dst + kk * MR);
                else PackEightRows(a + (long)(i0 + r0) * lda + k0, lda, kc, dst, MR);
                continue;
            }
            for (int kk = 0; kk < kc; kk++)
                for (int r = 0; r < MR; r++)
                {
                    float v = 0f;
                    if (r < mh)
                    {
                        long row = i0 + r0 + r, col = k0 + kk;
                        v = transA ? a[col * lda + row] : a[row * lda + col];
                    }
                    dst[kk * MR + r] = v;
                }
        }
    }

    /// <summary>
    /// dst[kk·stride + r] = rows[r·lda + kk] for r &lt; 8, kk &lt; kc: 8×8 blocks transposed with AVX shuffles, the rest
    /// scalar. Packs A's slivers (stride MR) and, eight columns at a time, Bᵀ's (stride NR).
    /// </summary>
    private static void PackEightRows(float* rows, int lda, int kc, float* dst, int stride)
    {
        int kk = 0;
        for (; kk + 8 <= kc; kk += 8)
        {
            float* q = rows + kk;
            var r0 = Avx.LoadVector256(q); var r1 = Avx.LoadVector256(q + lda);
            var r2 = Avx.LoadVector256(q + 2L * lda); var r3 = Avx.LoadVector256(q + 3L * lda);
            var r4 = Avx.LoadVector256(q + 4L * lda); var r5 = Avx.LoadVector256(q + 5L * lda);
            var r6 = Avx.LoadVector256(q + 6L * lda); var r7 = Avx.LoadVector256(q + 7L * lda);
            var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
            var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
            float* d = dst + (long)kk * stride;
            Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
            Avx.Store(d + stride, Avx.Permute2x128(u1, u5, 0x20));
            Avx.Store(d + 2L * stride, Avx.Permute2x128(u2, u6, 0x20));
            Avx.Store(d + 3L * stride, Avx.Permute2x128(u3, u7, 0x20));
            Avx.Store(d + 4L * stride, Avx.Permute2x128(u0, u4, 0x31));
            Avx.Store(d + 5L * stride, Avx.Permute2x128(u1, u5, 0x31));
            Avx.Store(d + 6L * stride, Avx.Permute2x128(u2, u6, 0x31));
            Avx.Store(d + 7L * stride, Avx.Permute2x128(u3, u7, 0x31));
        }
        for (; kk < kc; kk++)
            for (int r = 0; r < 8; r++) dst[(long)kk * stride + r] = rows[(long)r * lda + kk];
    }

    /// <summary>
    /// Packs k [k0, k0+kc) × columns [j0, j0+nc) of op(B) into NR-wide slivers, k-major, zero-padded.
    /// Reads B in its memory order (a row at a time, or a column of Bᵀ at a time): strided reads of a few
    /// floats per row missed the cache on every row and made large GEMMs wait on memory.
    /// </summary>
    private static void PackB(int vectorBits, float* b, int ldb, bool transB, int k0, int kc, int j0, int nc, int nr, float* bp)
    {
        int full = nc / nr, rest = nc - full * nr;
        if (!transB)
        {
            for (int kk = 0; kk < kc; kk++) ScatterRow(b + (long)(k0 + kk) * ldb + j0, nc, nr, kc, bp + kk * nr);
            return;
        }
        int j = 0;
        if (vectorBits > 0 && Avx.IsSupported)   // Bᵀ's columns eight at a time, transposed in registers
            for (; j < full * nr; j += 8)
                PackEightRows(b + (long)(j0 + j) * ldb + k0, ldb, kc, bp + (long)(j / nr) * nr * kc + j % nr, nr);
        for (; j < nc; j++)
        {
            float* src = b + (long)(j0 + j) * ldb + k0;
            float* dst = bp + (long)(j / nr) * nr * kc + j % nr;
            for (int kk = 0; kk < kc; kk++) dst[kk * nr] = src[kk];
        }
        if (rest > 0)
        {
            float* d = bp + (long)full * nr * kc;
            for (int kk = 0; kk < kc; kk++)
                for (int x = rest; x < nr; x++) d[kk * nr + x] = 0f;
        }
    }

    /// <summary>
    /// One row of B (nc floats) into its place in every NR-wide sliver, the last one zero-padded. The 64- or 128-byte
    /// pieces are moved as vectors: through Buffer.MemoryCopy, whose per-call cost outweighs so small a copy, packing
    /// took a quarter of a batch-1 convolution's time.
    /// </summary>
    private static void ScatterRow(float* src, int nc, int nr, int kc, float* dst)
    {
        int full = nc / nr, rest = nc - full * nr;
        long step = (long)nr * kc;
        if (nr == 32) ScatterSlivers<Vector512<float>, Lanes512>(src, full, step, dst);
        else if (nr == 16) ScatterSlivers<Vector256<float>, Lanes256>(src, full, step, dst);
        else
            for (int s = 0; s < full; s++)
                Buffer.MemoryCopy(src + s * nr, dst + s * step, nr * sizeof(float), nr * sizeof(float));
        if (rest > 0)
        {
            float* d = dst + (long)full * nr * kc;
            for (int x = 0; x < nr; x++) d[x] = x < rest ? src[full * nr + x] : 0f;
        }
    }

    /// <summary>Full slivers of two vectors each (NR = 32 at 512 bits, 16 at 256) from one row of B into their places.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ScatterSlivers<TVec, L>(float* src, int full, long step, float* dst)
        where TVec : struct where L : struct, IFloatLanes<TVec>
    {
        int n = L.Count;
        for (int s = 0; s < full; s++)
        {
            float* d = dst + s * step, q = src + s * 2 * n;
            L.Store(L.Load(q), d);
            L.Store(L.Load(q + n), d + n);
        }
    }

    /// <summary><see cref="PackB(float*, int, bool, int, int, int, int, int, float*)"/> with B's rows (or Bᵀ's) fetched into a row buffer first.</summary>
    private static void PackB(int vectorBits, GemmRows rows, float* row, bool transB, int k0, int kc, int j0, int nc, int nr, float* bp)
    {
        if (!transB)
        {
            for (int kk = 0; kk < kc; kk++)
            {
                rows.Row(k0 + kk, j0, nc, row);
                ScatterRow(row, nc, nr, kc, bp + kk * nr);
            }
            return;
        }
        int j = 0, rest = nc % nr;
        if (vectorBits > 0 && Avx.IsSupported)   // eight rows fetched, then transposed in registers
            for (; j < nc - rest; j += 8)
            {
                for (int r = 0; r < 8; r++) rows.Row(j0 + j + r, k0, kc, row + (long)r * kc);
                PackEightRows(row, kc, kc, bp + (long)(j / nr) * nr * kc + j % nr, nr);
            }
        for (; j < nc; j++)
        {
            rows.Row(j0 + j, k0, kc, row);
            float* dst = bp + (long)(j / nr) * nr * kc + j % nr;
            for (int kk = 0; kk < kc; kk++) dst[kk * nr] = row[kk];
        }
        if (rest > 0)
        {
            float* d = bp + (long)(nc / nr) * nr * kc;
            for (int kk = 0; kk < kc; kk++)
                for (int x = rest; x < nr; x++) d[kk * nr + x] = 0f;
        }
    }

    /// <summary>
    /// C[8 × 2 vectors] (+)= A-sliver · B, B's rows <paramref name="ldb"/> floats apart (2 vectors when packed): 8×32
    /// at 512 bits in one pass, 8×16 at 256 bits as two passes of 4 rows. AVX2 has 16 vector registers: a single 8×16
    /// pass needs 16 accumulators besides B's two vectors and A's broadcast, and the accumulators then lived on the
    /// stack (a load and a store around every FMA). Four rows keep 8 accumulators, B's 2 vectors and a broadcast in
    /// registers; the second pass reads the slivers again from L1. Each element's sum runs over k in the same order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Micro<TVec, L>(int kc, float* a, float* b, int ldb, float* c, int ldc, bool load)
        where TVec : struct where L : struct, IFloatLanes<TVec>
    {
        MicroRows<TVec, L>(kc, a, b, ldb, c, ldc, load);
        if (L.Count < 16) MicroRows<TVec, L>(kc, a + 4, b, ldb, c + 4 * ldc, ldc, load);
    }

    /// <summary>
    /// Rows 0–7 (512 bits) or 0–3 (256 bits) of an 8-row A-sliver (read MR apart) against 2 vectors of B's columns: one
    /// body, the last four rows compiled only where the width has registers for them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MicroRows<TVec, L>(int kc, float* a, float* b, int ldb, float* c, int ldc, bool load)
        where TVec : struct where L : struct, IFloatLanes<TVec>
    {
        int n = L.Count;
        bool eight = n == 16;
        TVec c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = L.Zero;
        c40 = c41 = c50 = c51 = c60 = c61 = c70 = c71 = L.Zero;
        if (load)
        {
            c00 = L.Load(c); c01 = L.Load(c + n);
            c10 = L.Load(c + ldc); c11 = L.Load(c + ldc + n);
            c20 = L.Load(c + 2 * ldc); c21 = L.Load(c + 2 * ldc + n);
            c30 = L.Load(c + 3 * ldc); c31 = L.Load(c + 3 * ldc + n);
            if (eight)
            {
                c40 = L.Load(c + 4 * ldc); c41 = L.Load(c + 4 * ldc + n);
                c50 = L.Load(c + 5 * ldc); c51 = L.Load(c + 5 * ldc + n);
                c60 = L.Load(c + 6 * ldc); c61 = L.Load(c + 6 * ldc + n);
                c70 = L.Load(c + 7 * ldc); c71 = L.Load(c + 7 * ldc + n);
            }
        }
        for (int kk = 0; kk < kc; kk++)
        {
            var b0 = L.Load(b);
            var b1 = L.Load(b + n);
            var a0 = L.Broadcast(a[0]); c00 = L.Fma(a0, b0, c00); c01 = L.Fma(a0, b1, c01);
            var a1 = L.Broadcast(a[1]); c10 = L.Fma(a1, b0, c10); c11 = L.Fma(a1, b1, c11);
            var a2 = L.Broadcast(a[2]); c20 = L.Fma(a2, b0, c20); c21 = L.Fma(a2, b1, c21);
            var a3 = L.Broadcast(a[3]); c30 = L.Fma(a3, b0, c30); c31 = L.Fma(a3, b1, c31);
            if (eight)
            {
                var a4 = L.Broadcast(a[4]); c40 = L.Fma(a4, b0, c40); c41 = L.Fma(a4, b1, c41);
                var a5 = L.Broadcast(a[5]); c50 = L.Fma(a5, b0, c50); c51 = L.Fma(a5, b1, c51);
                var a6 = L.Broadcast(a[6]); c60 = L.Fma(a6, b0, c60); c61 = L.Fma(a6, b1, c61);
                var a7 = L.Broadcast(a[7]); c70 = L.Fma(a7, b0, c70); c71 = L.Fma(a7, b1, c71);
            }
            a += MR;
            b += ldb;
        }
        L.Store(c00, c); L.Store(c01, c + n);
        L.Store(c10, c + ldc); L.Store(c11, c + ldc + n);
        L.Store(c20, c + 2 * ldc); L.Store(c21, c + 2 * ldc + n);
        L.Store(c30, c + 3 * ldc); L.Store(c31, c + 3 * ldc + n);
        if (eight)
        {
            L.Store(c40, c + 4 * ldc); L.Store(c41, c + 4 * ldc + n);
            L.Store(c50, c + 5 * ldc); L.Store(c51, c + 5 * ldc + n);
            L.Store(c60, c + 6 * ldc); L.Store(c61, c + 6 * ldc + n);
            L.Store(c70, c + 7 * ldc); L.Store(c71, c + 7 * ldc + n);
        }
    }

    private static void MicroScalar(int kc, float* a, float* b, float* c, int ldc, bool load)
    {
        float* acc = stackalloc float[MR * 8];
        for (int r = 0; r < MR; r++)
            for (int x = 0; x < 8; x++) acc[r * 8 + x] = load ? c[r * ldc + x] : 0f;
        for (int kk = 0; kk < kc; kk++, a += MR, b += 8)
            for (int r = 0; r < MR; r++)
                for (int x = 0; x < 8; x++) acc[r * 8 + x] += a[r] * b[x];
        for (int r = 0; r < MR; r++)
            for (int x = 0; x < 8; x++) c[r * ldc + x] = acc[r * 8 + x];
    }
}
