using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ulast.Kernels.Host;

/// <summary>
/// 3×3 stride-1 convolutions on the CPU by Winograd's F(2×2, 3×3) (Lavin and Gray, 2016): each 2×2 output tile is
/// Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A of the 4×4 input tile d, so the 36 multiply-adds of a tile and channel pair become the 16
/// of an element-wise product — one GEMM per element ξ of the 4×4 tile over the channels: M_ξ = U_ξ · V_ξ with U_ξ
/// [Cout × Cin] the transformed weights and V_ξ [Cin × tiles] the transformed input. 2.25× fewer multiply-adds than
/// im2col's GEMM, at the cost of the transforms (additions only, on vectors of 8 tiles).
/// The weight gradient is the same computation's adjoint: dU_ξ = dM_ξ · V_ξᵀ with dM = A·dY·Aᵀ per tile, and
/// dW = Gᵀ·dU·G. The input gradient of a stride-1 convolution is a forward convolution of dY with the flipped,
/// transposed weights (<see cref="HostConv.FlippedInput"/>), so it runs here too.
/// Layout per image: tile (i, j) is column i·TW8 + j, TW8 the tiles per row rounded up to 8; the columns past a
/// row's last tile are computed and discarded (forward) or carry a zero gradient (weight gradient).
/// </summary>
public static unsafe class HostWinograd
{
    /// <summary>
    /// Outputs smaller than this a side keep im2col: their tile rows are mostly padding to 8 and their GEMMs too narrow
    /// for the micro-kernel's 32 columns.
    /// </summary>
    private const int MinOutputSide = 8;

    /// <summary>
    /// Whether <paramref name="p"/> runs here: Winograd on (<see cref="HostTuning.Winograd"/>), a batch of at least
    /// <see cref="HostTuning.WinogradMinBatch"/> (batch-1 tracking keeps im2col: level in speed, and the boxes stay those
    /// evaluated, since the two sum in different orders), 3×3, stride 1, one group, output at least
    /// <see cref="MinOutputSide"/> a side, and no dilation — or dilation 2 with even padding, split into its four phases (<see cref="Phases"/>).
    /// </summary>
    public static bool Applies(HostTuning tuning, in ConvParams p) =>
        tuning.Winograd && p.N >= tuning.WinogradMinBatch && p.KH == 3 && p.KW == 3 && p.StrideH == 1 && p.StrideW == 1 && p.Groups == 1
        && p.Ho >= MinOutputSide && p.Wo >= MinOutputSide
        && ((p.DilH == 1 && p.DilW == 1) || (p.DilH == 2 && p.DilW == 2 && p.PadH % 2 == 0 && p.PadW % 2 == 0 && p.Ho >= 2 * MinOutputSide && p.Wo >= 2 * MinOutputSide));

    /// <summary>
    /// A 3×3 convolution with dilation 2 and even padding P is four undilated ones: the outputs of row parity a and
    /// column parity b read only the inputs of the same parities, x_ab[i][j] = x[2i + a][2j + b], through the same
    /// kernel with padding P/2. Each phase is gathered, convolved by Winograd, and its output scattered back.
    /// </summary>
    private static IEnumerable<(int a, int b, ConvParams q)> Phases(ConvParams p)
    {
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
                yield return (a, b, new ConvParams(p.N, p.Cin, (p.H - a + 1) / 2, (p.W - b + 1) / 2, p.Cout, 3, 3, 1, 1, p.PadH / 2, p.PadW / 2, 1, 1, 1));
    }

    /// <summary>dst[n][c][i][j] = src[n][c][2i + a][2j + b] (gather), or the reverse (scatter), for every plane.</summary>
    private static void Phase(float* full, int planes, int h, int w, int a, int b, int hs, int ws, float* sub, bool gather)
    {
        for (long c = 0; c < planes; c++)
            for (int i = 0; i < hs; i++)
            {
                float* f = full + (c * h + 2 * i + a) * w + b, s = sub + (c * hs + i) * ws;
                if (gather) for (int j = 0; j < ws; j++) s[j] = f[2 * j];
                else for (int j = 0; j < ws; j++) f[2 * j] = s[j];
            }
    }

    private static void ForwardPhases(HostTuning tuning, ConvParams p, float* x, float* w, float* y, ChannelEpilogue? epilogue, int threads)
    {
        foreach (var (a, b, q) in Phases(p))
        {
            using var xs = HostScratch.Rent(HostScratch.Use.Columns, q.InputSize);
            using var ys = HostScratch.Rent(HostScratch.Use.Partials, q.OutputSize);
            Phase(x, p.N * p.Cin, p.H, p.W, a, b, q.H, q.W, xs.Ptr, gather: true);
            Forward(tuning, q, xs.Ptr, w, ys.Ptr, null, threads);
            Phase(y, p.N * p.Cout, p.Ho, p.Wo, a, b, q.Ho, q.Wo, ys.Ptr, gather: false);
        }
        if (epilogue != null) for (int n = 0; n < p.N; n++) epilogue.Apply(y + (long)n * p.Cout * p.Ho * p.Wo, p.Cout, p.Ho * p.Wo);
    }

    private static void BackwardWeightPhases(HostTuning tuning, ConvParams p, float* x, float* dy, float* dw, int threads)
    {
        using var part = HostScratch.Rent(HostScratch.Use.Weights, p.WeightSize);
        bool first = true;
        foreach (var (a, b, q) in Phases(p))
        {
            using var xs = HostScratch.Rent(HostScratch.Use.Columns, q.InputSize);
            using var gs = HostScratch.Rent(HostScratch.Use.Partials, q.OutputSize);
            Phase(x, p.N * p.Cin, p.H, p.W, a, b, q.H, q.W, xs.Ptr, gather: true);
            Phase(dy, p.N * p.Cout, p.Ho, p.Wo, a, b, q.Ho, q.Wo, gs.Ptr, gather: true);
            BackwardWeight(tuning, q, xs.Ptr, gs.Ptr, first ? dw : part.Ptr, threads);
            if (!first) HostRanges.AddBlocks(dw, part.Ptr, 1, p.WeightSize);
            first = false;
        }
    }

    // HostTuning.WinogradBlockBytes: bytes of V and M (one block of tile rows, all channels) that one thread works on at a
    // time, sized to stay in this core's L2: whole images went out to L3 between the transforms and the GEMMs.

    private readonly struct Tiles
    {
        public readonly int TH, TW, TW8, BlockRows, Ld, SplitRows, SplitLen;

        public Tiles(in ConvParams p, int blockBytes)
        {
            TH = (p.Ho + 1) / 2;
            TW = (p.Wo + 1) / 2;
            TW8 = (TW + 7) / 8 * 8;
            // as many tile rows as fit the budget, and at least one micro-kernel's 32 columns
            int fit = blockBytes / (16 * (p.Cin + p.Cout) * sizeof(float) * TW8);
            BlockRows = Math.Clamp(Math.Max(fit, (32 + TW8 - 1) / TW8), 1, TH);
            int cols = BlockRows * TW8;
            // Rows of V and M 4 KB apart would share one set of L1 when the GEMM reads them in place.
            Ld = cols % 256 == 0 ? cols + 16 : cols;
            SplitRows = 2 * BlockRows + 2;
            SplitLen = TW8 + 8;
        }
    }

    /// <summary>One thread's V, M and row-split buffers for a block of tile rows (its grow-only scratch).</summary>
    private readonly struct BlockScratch : IDisposable
    {
        private readonly HostScratch.Lease v, m, split;

        public BlockScratch(in ConvParams p, in Tiles t)
        {
            v = HostScratch.Rent(HostScratch.Use.WinogradInput, 16L * p.Cin * t.Ld);
            m = HostScratch.Rent(HostScratch.Use.WinogradProduct, 16L * p.Cout * t.Ld);
            split = HostScratch.Rent(HostScratch.Use.WinogradSplit, 2L * t.SplitRows * t.SplitLen);
        }

        public float* V => v.Ptr;
        public float* M => m.Ptr;
        public float* Split => split.Ptr;

        public void Dispose() { v.Dispose(); m.Dispose(); split.Dispose(); }
    }

    /// <summary>V for tile rows [i0, i1) of one image, every input channel.</summary>
    private static void TransformInputBlock(in ConvParams p, in Tiles t, int i0, int i1, float* image, in BlockScratch s)
    {
        for (int c = 0; c < p.Cin; c++) TransformInput(p, t, i0, i1, image + (long)c * p.H * p.W, s.Split, s.V + (long)c * t.Ld, (long)p.Cin * t.Ld);
    }

    public static void Forward(HostTuning tuning, ConvParams p, float* x, float* w, float* y, ChannelEpilogue? epilogue, int threads)
    {
        if (p.DilH == 2) { ForwardPhases(tuning, p, x, w, y, epilogue, threads); return; }
        var t = new Tiles(p, tuning.WinogradBlockBytes);
        long packedSize = HostGemm.PackedASize(p.Cout, p.Cin);
        using var uLease = HostScratch.Rent(HostScratch.Use.WinogradWeights, 16L * p.Cout * p.Cin + 16 * packedSize);
        float* u = uLease.Ptr + 16L * p.Cout * p.Cin;   // U_ξ packed for the GEMM, once for every block of every image
        TransformWeights(p, w, uLease.Ptr, threads);
        for (int xi = 0; xi < 16; xi++) HostGemm.PackAOnce(tuning, p.Cout, p.Cin, uLease.Ptr + (long)xi * p.Cout * p.Cin, p.Cin, false, u + xi * packedSize);
        // Work items are blocks of tile rows of every image, in contiguous runs per thread: one image (tracking) still
        // keeps every core busy, each on GEMMs of its own.
        int blocks = (t.TH + t.BlockRows - 1) / t.BlockRows, items = p.N * blocks;
        int workers = Math.Max(1, Math.Min(threads, items));
        IntPtr px = (IntPtr)x, pu = (IntPtr)u, py = (IntPtr)y;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, th =>
        {
            using var s = new BlockScratch(p, t);
            for (int it = (int)((long)items * th / workers), end = (int)((long)items * (th + 1) / workers); it < end; it++)
            {
                int n = it / blocks, i0 = it % blocks * t.BlockRows, i1 = Math.Min(t.TH, i0 + t.BlockRows), cols = (i1 - i0) * t.TW8;
                float* xn = (float*)px + (long)n * p.Cin * p.H * p.W, yn = (float*)py + (long)n * p.Cout * p.Ho * p.Wo;
                TransformInputBlock(p, t, i0, i1, xn, s);
                for (int xi = 0; xi < 16; xi++)
                    HostGemm.GemmPackedA(tuning, p.Cout, cols, p.Cin, (float*)pu + xi * packedSize,
                        s.V + (long)xi * p.Cin * t.Ld, t.Ld, false, s.M + (long)xi * p.Cout * t.Ld, t.Ld, false);
                for (int co = 0; co < p.Cout; co++) TransformOutput(p, t, i0, i1, s.M + (long)co * t.Ld, (long)p.Cout * t.Ld, yn + (long)co * p.Ho * p.Wo);
                int row0 = 2 * i0, rows = Math.Min(p.Ho, 2 * i1) - row0;
                epilogue?.Apply(yn, p.Cout, p.Ho * p.Wo, row0 * p.Wo, rows * p.Wo);
            }
        });
    }

    /// <summary>dW = Gᵀ·(Σ over images and tiles of dM_ξ · V_ξᵀ)·G; images spread over threads, their sums added at the end.</summary>
    public static void BackwardWeight(HostTuning tuning, ConvParams p, float* x, float* dy, float* dw, int threads)
    {
        if (p.DilH == 2) { BackwardWeightPhases(tuning, p, x, dy, dw, threads); return; }
        var t = new Tiles(p, tuning.WinogradBlockBytes);
        int outer = Math.Max(1, Math.Min(threads, p.N)), inner = Math.Max(1, threads / outer);
        long uSize = 16L * p.Cout * p.Cin;
        using var partialLease = HostScratch.Rent(HostScratch.Use.WinogradWeights, outer * uSize);
        IntPtr px = (IntPtr)x, pdy = (IntPtr)dy, pdu = (IntPtr)partialLease.Ptr;
        Parallel.For(0, outer, new ParallelOptions { MaxDegreeOfParallelism = outer }, th =>
        {
            using var s = new BlockScratch(p, t);
            float* du = (float*)pdu + th * uSize;
            bool first = true;
            for (int n = th; n < p.N; n += outer)
            {
                float* xn = (float*)px + (long)n * p.Cin * p.H * p.W, dyn = (float*)pdy + (long)n * p.Cout * p.Ho * p.Wo;
                for (int i0 = 0; i0 < t.TH; i0 += t.BlockRows)
                {
                    int i1 = Math.Min(t.TH, i0 + t.BlockRows), cols = (i1 - i0) * t.TW8;
                    TransformInputBlock(p, t, i0, i1, xn, s);
                    for (int co = 0; co < p.Cout; co++) TransformOutputGradient(p, t, i0, i1, dyn + (long)co * p.Ho * p.Wo, s.Split, s.M + (long)co * t.Ld, (long)p.Cout * t.Ld);
                    for (int xi = 0; xi < 16; xi++)
                        HostGemm.Gemm(tuning, p.Cout, p.Cin, cols, s.M + (long)xi * p.Cout * t.Ld, t.Ld, false,
                            s.V + (long)xi * p.Cin * t.Ld, t.Ld, true, du + (long)xi * p.Cout * p.Cin, p.Cin, !first, inner);
                    first = false;
                }
            }
            if (first) new Span<float>(du, (int)uSize).Clear();
        });
        float* sum = partialLease.Ptr;
        HostRanges.AddBlocks(sum, sum + uSize, outer - 1, uSize);
        TransformWeightGradient(p, sum, dw, threads);
    }

    /// <summary>U_ξ[co][ci] = (G g Gᵀ)[ξ] for each 3×3 kernel g, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1].</summary>
    internal static void TransformWeights(in ConvParams p, float* w, float* u, int threads)
    {
        int cout = p.Cout, cin = p.Cin;
        IntPtr pw = (IntPtr)w, pu = (IntPtr)u;
        ForRanges(cout, cin, threads, (c0, c1) =>
        {
            // One output channel's 16 rows of U are gathered in an L1-sized block, then copied out whole: written in
            // place, each kernel's 16 values landed in 16 rows megabytes apart.
            float* g = stackalloc float[16];
            var block = new float[16 * cin];
            fixed (float* b = block)
                for (int co = c0; co < c1; co++)
                {
                    for (int ci = 0; ci < cin; ci++)
                    {
                        Kernel4((float*)pw + ((long)co * cin + ci) * 9, g);
                        for (int xi = 0; xi < 16; xi++) b[xi * cin + ci] = g[xi];
                    }
                    for (int xi = 0; xi < 16; xi++)
                        new ReadOnlySpan<float>(b + xi * cin, cin).CopyTo(new Span<float>((float*)pu + ((long)xi * cout + co) * cin, cin));
                }
        });
    }

    /// <summary>G·k·Gᵀ of one 3×3 kernel (row-major) into 16 floats.</summary>
    public static void Kernel4(float* k, float* g)
    {
        // G·k: rows k0, ½(k0 + k1 + k2), ½(k0 − k1 + k2), k2 of the kernel's rows, column by column
        for (int s = 0; s < 3; s++)
        {
            float k0 = k[s], k1 = k[3 + s], k2 = k[6 + s];
            float t1 = 0.5f * (k0 + k1 + k2), t2 = 0.5f * (k0 - k1 + k2);
            // stash the 4×3 product in g's first three columns, then transform each row in place
            g[s] = k0; g[4 + s] = t1; g[8 + s] = t2; g[12 + s] = k2;
        }
        for (int a = 0; a < 4; a++)
        {
            float* r = g + 4 * a;
            float t0 = r[0], t1 = r[1], t2 = r[2];
            r[1] = 0.5f * (t0 + t1 + t2);
            r[2] = 0.5f * (t0 - t1 + t2);
            r[3] = t2;
        }
    }

    /// <summary>dW[co][ci] = Gᵀ·dU·G, the adjoint of <see cref="TransformWeights"/>.</summary>
    private static void TransformWeightGradient(in ConvParams p, float* du, float* dw, int threads)
    {
        int cout = p.Cout, cin = p.Cin;
        IntPtr pdu = (IntPtr)du, pdw = (IntPtr)dw;
        ForRanges(cout, cin, threads, (c0, c1) =>
        {
            float* d = stackalloc float[16];
            float* q = stackalloc float[12];   // d·G: 4 rows × 3 columns
            for (int co = c0; co < c1; co++)
                for (int ci = 0; ci < cin; ci++)
                {
                    for (int xi = 0; xi < 16; xi++) d[xi] = ((float*)pdu)[((long)xi * cout + co) * cin + ci];
                    for (int a = 0; a < 4; a++)
                    {
                        float d0 = d[4 * a], d1 = d[4 * a + 1], d2 = d[4 * a + 2], d3 = d[4 * a + 3];
                        q[3 * a] = d0 + 0.5f * (d1 + d2);
                        q[3 * a + 1] = 0.5f * (d1 - d2);
                        q[3 * a + 2] = 0.5f * (d1 + d2) + d3;
                    }
                    float* k = (float*)pdw + ((long)co * cin + ci) * 9;
                    for (int s = 0; s < 3; s++)
                    {
                        float q0 = q[s], q1 = q[3 + s], q2 = q[6 + s], q3 = q[9 + s];
                        k[s] = q0 + 0.5f * (q1 + q2);
                        k[3 + s] = 0.5f * (q1 - q2);
                        k[6 + s] = 0.5f * (q1 + q2) + q3;
                    }
                }
        });
    }

    /// <summary>Runs body over [0, count) in even ranges on up to <paramref name="threads"/> threads, when the work (count × inner) is worth it.</summary>
    private static void ForRanges(int count, int inner, int threads, Action<int, int> body) =>
        HostRanges.For(count, (long)count * inner < 4096 ? 1 : threads, body);

    /// <summary>
    /// Splits one padded plane's rows into even and odd columns (even[r][k] = plane[r − padH][2k − padW], odd[r][k] the
    /// column after it; 0 outside), so that a tile's four columns 2j..2j+3 are four contiguous vectors over j.
    /// </summary>
    private static void SplitColumns(float* plane, int h, int w, int firstRow, int padW, int rows, int len, float* even, float* odd)
    {
        for (int r = 0; r < rows; r++)
        {
            float* e = even + (long)r * len, o = odd + (long)r * len;
            int iy = firstRow + r;
            if (iy < 0 || iy >= h) { new Span<float>(e, len).Clear(); new Span<float>(o, len).Clear(); continue; }
            SplitRow(plane + (long)iy * w, w, padW, len, e, o);
        }
    }

    /// <summary>One row of <see cref="SplitColumns"/>: the columns inside the row eight pairs (or four) at a time with one permute.</summary>
    private static void SplitRow(float* src, int w, int padW, int len, float* e, float* o)
    {
        int k = 0;
        for (; k < len && 2 * k - padW < 0; k++) SplitOne(src, w, padW, k, e, o);
        if (Vector512.IsHardwareAccelerated)
            for (; k + 8 <= len && 2 * k - padW + 16 <= w; k += 8)
            {
                var v = Vector512.Shuffle(Vector512.Load(src + 2 * k - padW), Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15));
                v.GetLower().Store(e + k);
                v.GetUpper().Store(o + k);
            }
        if (Vector256.IsHardwareAccelerated)
            for (; k + 4 <= len && 2 * k - padW + 8 <= w; k += 4)
            {
                var v = Vector256.Shuffle(Vector256.Load(src + 2 * k - padW), Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7));
                v.GetLower().Store(e + k);
                v.GetUpper().Store(o + k);
            }
        int past = Math.Clamp((w + padW + 1) / 2, k, len);   // from here on 2k − padW ≥ w: zeros
        for (; k < past; k++) SplitOne(src, w, padW, k, e, o);
        new Span<float>(e + past, len - past).Clear();
        new Span<float>(o + past, len - past).Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SplitOne(float* src, int w, int padW, int k, float* e, float* o)
    {
        int c0 = 2 * k - padW, c1 = c0 + 1;
        e[k] = (uint)c0 < (uint)w ? src[c0] : 0f;
        o[k] = (uint)c1 < (uint)w ? src[c1] : 0f;
    }

    /// <summary>V_ξ[tile] = (Bᵀ d B)[ξ] of one input channel, Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]; ξ's rows <paramref name="xiStride"/> apart.</summary>
    private static void TransformInput(in ConvParams p, in Tiles t, int i0, int i1, float* plane, float* split, float* v, long xiStride)
    {
        float* even = split, odd = split + (long)t.SplitRows * t.SplitLen;
        SplitColumns(plane, p.H, p.W, 2 * i0 - p.PadH, p.PadW, 2 * (i1 - i0) + 2, t.SplitLen, even, odd);
        long len = t.SplitLen;
        for (int i = 0; i < i1 - i0; i++)
            for (int j = 0; j < t.TW8; j += 8)
            {
                float* e = even + (2 * i) * len + j, o = odd + (2 * i) * len + j;
                // rows 2i..2i+3 of the tile, each through Bᵀ along its columns: (e0 − e1, o0 + e1, e1 − o0, o0 − o1)
                var a0 = Vector256.Load(e); var a1 = Vector256.Load(e + 1); var b0 = Vector256.Load(o); var b1 = Vector256.Load(o + 1);
                Vector256<float> h00 = a0 - a1, h01 = b0 + a1, h02 = a1 - b0, h03 = b0 - b1;
                a0 = Vector256.Load(e + len); a1 = Vector256.Load(e + len + 1); b0 = Vector256.Load(o + len); b1 = Vector256.Load(o + len + 1);
                Vector256<float> h10 = a0 - a1, h11 = b0 + a1, h12 = a1 - b0, h13 = b0 - b1;
                a0 = Vector256.Load(e + 2 * len); a1 = Vector256.Load(e + 2 * len + 1); b0 = Vector256.Load(o + 2 * len); b1 = Vector256.Load(o + 2 * len + 1);
                Vector256<float> h20 = a0 - a1, h21 = b0 + a1, h22 = a1 - b0, h23 = b0 - b1;
                a0 = Vector256.Load(e + 3 * len); a1 = Vector256.Load(e + 3 * len + 1); b0 = Vector256.Load(o + 3 * len); b1 = Vector256.Load(o + 3 * len + 1);
                Vector256<float> h30 = a0 - a1, h31 = b0 + a1, h32 = a1 - b0, h33 = b0 - b1;
                // then down the rows
                float* dst = v + (long)i * t.TW8 + j;
                Store4(dst, 0, xiStride, h00 - h20, h01 - h21, h02 - h22, h03 - h23);
                Store4(dst, 4, xiStride, h10 + h20, h11 + h21, h12 + h22, h13 + h23);
                Store4(dst, 8, xiStride, h20 - h10, h21 - h11, h22 - h12, h23 - h13);
                Store4(dst, 12, xiStride, h10 - h30, h11 - h31, h12 - h32, h13 - h33);
            }
    }

    /// <summary>One output channel's 2×2 tiles Aᵀ m A, Aᵀ = [1 1 1 0; 0 1 −1 −1], written where they fall inside the output.</summary>
    private static void TransformOutput(in ConvParams p, in Tiles t, int i0, int i1, float* m, long xiStride, float* plane)
    {
        float* row = stackalloc float[16];
        for (int i = 0; i < i1 - i0; i++)
            for (int j = 0; j < t.TW8 && j < t.TW; j += 8)
            {
                float* src = m + (long)i * t.TW8 + j;
                // each row a of the 4×4 tile through Aᵀ along its columns: (m0 + m1 + m2, m1 − m2 − m3)
                var (r00, r01) = OutputRow(src, 0, xiStride);
                var (r10, r11) = OutputRow(src, 4, xiStride);
                var (r20, r21) = OutputRow(src, 8, xiStride);
                var (r30, r31) = OutputRow(src, 12, xiStride);
                int cols = Math.Min(16, p.Wo - 2 * j);
                for (int dy = 0; dy < 2; dy++)
                {
                    int oy = 2 * (i0 + i) + dy;
                    if (oy >= p.Ho) break;
                    Vector256<float> y0, y1;
                    if (dy == 0) { y0 = r00 + r10 + r20; y1 = r01 + r11 + r21; }
                    else { y0 = r10 - r20 - r30; y1 = r11 - r21 - r31; }
                    float* dst = plane + (long)oy * p.Wo + 2 * j;
                    Interleave(y0, y1, cols == 16 ? dst : row);
                    if (cols < 16) new ReadOnlySpan<float>(row, cols).CopyTo(new Span<float>(dst, cols));
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>) OutputRow(float* src, int xi, long xiStride)
    {
        var m0 = Vector256.Load(src + xi * xiStride); var m1 = Vector256.Load(src + (xi + 1) * xiStride);
        var m2 = Vector256.Load(src + (xi + 2) * xiStride); var m3 = Vector256.Load(src + (xi + 3) * xiStride);
        return (m0 + m1 + m2, m1 - m2 - m3);
    }

    /// <summary>dst[2l] = a[l], dst[2l + 1] = b[l] for l &lt; 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Interleave(Vector256<float> a, Vector256<float> b, float* dst)
    {
        if (Avx.IsSupported)
        {
            var lo = Avx.UnpackLow(a, b);    // a0 b0 a1 b1 | a4 b4 a5 b5
            var hi = Avx.UnpackHigh(a, b);   // a2 b2 a3 b3 | a6 b6 a7 b7
            Avx.Store(dst, Avx.Permute2x128(lo, hi, 0x20));
            Avx.Store(dst + 8, Avx.Permute2x128(lo, hi, 0x31));
            return;
        }
        for (int l = 0; l < 8; l++) { dst[2 * l] = a.GetElement(l); dst[2 * l + 1] = b.GetElement(l); }
    }

    /// <summary>dM = A·g·Aᵀ of each 2×2 output-gradient tile g (0 past the output's edge): the adjoint of <see cref="TransformOutput"/>.</summary>
    private static void TransformOutputGradient(in ConvParams p, in Tiles t, int i0, int i1, float* plane, float* split, float* m, long xiStride)
    {
        float* even = split, odd = split + (long)t.SplitRows * t.SplitLen;
        SplitColumns(plane, p.Ho, p.Wo, 2 * i0, 0, 2 * (i1 - i0), t.SplitLen, even, odd);
        for (int i = 0; i < i1 - i0; i++)
            for (int j = 0; j < t.TW8; j += 8)
            {
                float* e0p = even + (long)(2 * i) * t.SplitLen + j, o0p = odd + (long)(2 * i) * t.SplitLen + j;
                var g00 = Vector256.Load(e0p); var g01 = Vector256.Load(o0p);
                var g10 = Vector256.Load(e0p + t.SplitLen); var g11 = Vector256.Load(o0p + t.SplitLen);
                // q[dy][b] = Σ_dx g[dy][dx] Aᵀ[dx][b]
                var q00 = g00; var q01 = g00 + g01; var q02 = g00 - g01; var q03 = -g01;
                var q10 = g10; var q11 = g10 + g11; var q12 = g10 - g11; var q13 = -g11;
                float* dst = m + (long)i * t.TW8 + j;
                Store4(dst, 0, xiStride, q00, q01, q02, q03);
                Store4(dst, 4, xiStride, q00 + q10, q01 + q11, q02 + q12, q03 + q13);
                Store4(dst, 8, xiStride, q00 - q10, q01 - q11, q02 - q12, q03 - q13);
                Store4(dst, 12, xiStride, -q10, -q11, -q12, -q13);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store4(float* dst, int xi, long xiStride, Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        a.Store(dst + xi * xiStride);
        b.Store(dst + (xi + 1) * xiStride);
        c.Store(dst + (xi + 2) * xiStride);
        d.Store(dst + (xi + 3) * xiStride);
    }
}
