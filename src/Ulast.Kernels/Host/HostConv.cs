using System.Numerics.Tensors;

namespace Ulast.Kernels.Host;

/// <summary>
/// Convolution on the CPU as im2col + <see cref="HostGemm"/>, per group:
/// forward Y_n = W · col(X_n); input gradient col⁻¹(Wᵀ · dY_n); weight gradient Σ_n dY_n · col(X_n)ᵀ.
/// The weight gradient of stride-1 convolutions reads col(X_n) row by row as it packs (<see cref="ImageColumns"/>),
/// never stored whole; the input gradient writes a col buffer and folds it back (col2im).
/// Images are spread over threads; 1×1 stride-1 convolutions skip im2col.
/// </summary>
public static unsafe class HostConv
{

    private static bool IsPointwise(in ConvParams p) =>
        p.KH == 1 && p.KW == 1 && p.StrideH == 1 && p.StrideW == 1 && p.PadH == 0 && p.PadW == 0;

    private static int ColRows(in ConvParams p) => p.CinG * p.KH * p.KW;

    /// <summary>
    /// Whether the weight gradient's GEMM reads a stored im2col or fetches its rows as it packs (<see cref="ImageColumns"/>).
    /// Fetching saves writing and re-reading the whole matrix (faster on stride-1 layers of a batch) but costs a little
    /// per row segment: strided convolutions (gathers) and GEMMs split over threads (batch 1: short segments per
    /// thread) were slower that way, and so was the forward pass at batch 1 (docs/notebook/experiments.md).
    /// </summary>
    private static bool StoresColumns(in ConvParams p, int gemmThreads) =>
        !IsPointwise(p) && (p.StrideH != 1 || p.StrideW != 1 || gemmThreads > 1);

    public static void Forward(HostTuning t, ConvParams p, float* x, float* w, float* y) => Forward(t, p, x, w, y, null);

    /// <summary>
    /// The forward pass followed, image by image while its output is still in the cache, by <paramref name="epilogue"/>
    /// (an evaluation-mode BatchNorm and ReLU): a separate pass over memory per op was a sixteenth of a tracked frame.
    /// </summary>
    public static void Forward(HostTuning t, ConvParams p, float* x, float* w, float* y, ChannelEpilogue? epilogue)
    {
        if (HostWinograd.Applies(t, p)) { HostWinograd.Forward(t, p, x, w, y, epilogue, t.Threads); return; }
        IntPtr px = (IntPtr)x, pw = (IntPtr)w, py = (IntPtr)y;
        if (IsChannelSum(p) && t.GemmVectorBits != 0)
        {
            // One output channel: a weighted sum of the input planes, fused multiply-adds over the channels in order
            // from 0 — the GEMM's arithmetic for an output row (its k loop), without the 8-row sliver it would pad to.
            ForEachImage(t, p, false, (n, _, _) =>
            {
                int hw = p.Ho * p.Wo;
                var dst = new Span<float>((float*)py + (long)n * hw, hw);
                dst.Clear();
                for (int c = 0; c < p.Cin; c++)
                    TensorPrimitives.FusedMultiplyAdd(new ReadOnlySpan<float>((float*)px + ((long)n * p.Cin + c) * hw, hw), ((float*)pw)[c], dst, dst);
                epilogue?.Apply((float*)py + (long)n * hw, 1, hw);
            });
            return;
        }
        ForEachImage(t, p, !IsPointwise(p), (n, col, threadsInside) =>
        {
            int hw = p.Ho * p.Wo, rows = ColRows(p);
            for (int g = 0; g < p.Groups; g++)
            {
                float* xg = (float*)px + ((long)n * p.Cin + g * p.CinG) * p.H * p.W;
                float* src = xg;
                if (!IsPointwise(p)) { Im2Col(p, xg, col, threadsInside); src = col; }
                HostGemm.Gemm(t, p.CoutG, hw, rows, (float*)pw + (long)g * p.CoutG * rows, rows, false, src, hw, false,
                    (float*)py + ((long)n * p.Cout + g * p.CoutG) * hw, hw, false, threadsInside);
            }
            epilogue?.Apply((float*)py + (long)n * p.Cout * hw, p.Cout, hw);
        });
    }

    // HostTuning.FlippedInputGradient: whether the input gradient of a stride-1 convolution runs as a forward convolution
    // of dY with the weights flipped and transposed (FlippedInput) instead of a GEMM into columns folded back by col2im.
    // Off by default: the deeper GEMM did not pay for the im2col of dY (docs/notebook/experiments.md); through Winograd it does.

    /// <summary>
    /// The forward convolution whose output is the input gradient of stride-1 <paramref name="p"/>: dY [N, Cout, Ho, Wo]
    /// in, dX [N, Cin, H, W] out, padding (K − 1)·dilation − pad; null when that padding would be negative.
    /// </summary>
    public static ConvParams? FlippedInput(in ConvParams p)
    {
        if (p.StrideH != 1 || p.StrideW != 1) return null;
        int ph = (p.KH - 1) * p.DilH - p.PadH, pw = (p.KW - 1) * p.DilW - p.PadW;
        if (ph < 0 || pw < 0) return null;
        return new ConvParams(p.N, p.Cout, p.Ho, p.Wo, p.Cin, p.KH, p.KW, 1, 1, ph, pw, p.DilH, p.DilW, p.Groups);
    }

    /// <summary>w' [Cin, CoutG, KH, KW] with w'[g·CinG + ci][co][ky][kx] = w[g·CoutG + co][ci][KH−1−ky][KW−1−kx].</summary>
    public static void FlipWeights(in ConvParams p, float* w, float* flipped)
    {
        int taps = p.KH * p.KW;
        for (int g = 0; g < p.Groups; g++)
            for (int co = 0; co < p.CoutG; co++)
                for (int ci = 0; ci < p.CinG; ci++)
                {
                    float* src = w + ((long)(g * p.CoutG + co) * p.CinG + ci) * taps;
                    float* dst = flipped + ((long)(g * p.CinG + ci) * p.CoutG + co) * taps;
                    for (int t = 0; t < taps; t++) dst[taps - 1 - t] = src[t];
                }
    }

    public static void BackwardInput(HostTuning t, ConvParams p, float* dy, float* w, float* dx)
    {
        // dX = dY ⋆ flip(W)ᵀ: a forward pass (im2col of dY, one deep GEMM per image) instead of a GEMM writing the
        // whole column matrix and col2im reading it back and scattering it.
        // Through Winograd's transforms the flipped forward costs less than the GEMM into columns and col2im.
        if (!IsPointwise(p) && FlippedInput(p) is { } q && (t.FlippedInputGradient || HostWinograd.Applies(t, q)))
        {
            using var flipped = HostScratch.Rent(HostScratch.Use.Weights, p.WeightSize);
            FlipWeights(p, w, flipped.Ptr);
            Forward(t, q, dy, flipped.Ptr, dx);
            return;
        }
        IntPtr pdy = (IntPtr)dy, pw = (IntPtr)w, pdx = (IntPtr)dx;
        if (IsChannelSum(p))
        {
            // dX_c = w_c · dY: the GEMM's single product per element (k = 1)
            ForEachImage(t, p, false, (n, _, _) =>
            {
                int hw = p.Ho * p.Wo;
                var g = new ReadOnlySpan<float>((float*)pdy + (long)n * hw, hw);
                for (int c = 0; c < p.Cin; c++)
                    TensorPrimitives.Multiply(g, ((float*)pw)[c], new Span<float>((float*)pdx + ((long)n * p.Cin + c) * hw, hw));
            });
            return;
        }
        ForEachImage(t, p, !IsPointwise(p), (n, col, threadsInside) =>
        {
            int hw = p.Ho * p.Wo, rows = ColRows(p);
            for (int g = 0; g < p.Groups; g++)
            {
                float* dxg = (float*)pdx + ((long)n * p.Cin + g * p.CinG) * p.H * p.W;
                float* dst = IsPointwise(p) ? dxg : col;
                HostGemm.Gemm(t, rows, hw, p.CoutG, (float*)pw + (long)g * p.CoutG * rows, rows, true,
                    (float*)pdy + ((long)n * p.Cout + g * p.CoutG) * hw, hw, false, dst, hw, false, threadsInside);
                if (!IsPointwise(p)) Col2Im(p, col, dxg, threadsInside);
            }
        });
    }

    public static void BackwardWeight(HostTuning tuning, ConvParams p, float* x, float* dy, float* dw)
    {
        if (HostWinograd.Applies(tuning, p)) { HostWinograd.BackwardWeight(tuning, p, x, dy, dw, tuning.Threads); return; }
        int threads = Math.Max(1, Math.Min(tuning.Threads, p.N));
        int inner = Math.Max(1, tuning.Threads / threads);   // spare threads go to each GEMM (batch 1 still uses every core)
        int rows = ColRows(p), hw = p.Ho * p.Wo;
        long wsize = p.WeightSize;
        // The other threads' partial sums live in the caller's grow-only scratch: allocated per call (megabytes
        // each) they were fresh mappings, page-faulted and zeroed by the kernel on every weight gradient.
        using var partialLease = HostScratch.Rent(HostScratch.Use.Partials, (threads - 1) * wsize);
        IntPtr px = (IntPtr)x, pdy = (IntPtr)dy, pdw = (IntPtr)dw, others = (IntPtr)partialLease.Ptr;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            using var lease = HostScratch.Rent(HostScratch.Use.Columns, StoresColumns(p, inner) ? (long)rows * hw : 0);
            float* acc = t == 0 ? (float*)pdw : (float*)others + (t - 1) * wsize;
            bool first = true;
            for (int n = t; n < p.N; n += threads)
            {
                for (int g = 0; g < p.Groups; g++)
                {
                    float* xg = (float*)px + ((long)n * p.Cin + g * p.CinG) * p.H * p.W;
                    float* dyg = (float*)pdy + ((long)n * p.Cout + g * p.CoutG) * hw, dwg = acc + (long)g * p.CoutG * rows;
                    if (IsPointwise(p)) HostGemm.Gemm(tuning, p.CoutG, rows, hw, dyg, hw, false, xg, hw, true, dwg, rows, !first, inner);
                    else if (!StoresColumns(p, inner)) HostGemm.Gemm(tuning, p.CoutG, rows, hw, dyg, hw, false, new ImageColumns(p, xg), true, dwg, rows, !first, inner);
                    else
                    {
                        Im2Col(p, xg, lease.Ptr, inner);
                        HostGemm.Gemm(tuning, p.CoutG, rows, hw, dyg, hw, false, lease.Ptr, hw, true, dwg, rows, !first, inner);
                    }
                }
                first = false;
            }
            if (first) new Span<float>(acc, (int)wsize).Clear();
        });
        HostRanges.AddBlocks(dw, partialLease.Ptr, threads - 1, wsize);
    }

    /// <summary>A 1×1 convolution to a single channel (the discriminative filter's sum over its channels).</summary>
    private static bool IsChannelSum(in ConvParams p) => IsPointwise(p) && p.Groups == 1 && p.Cout == 1;

    /// <summary>Runs body(n, colScratch, threadsForTheGemm) for every image, spreading images over threads.</summary>
    private static void ForEachImage(HostTuning tuning, ConvParams p, bool needColumns, ImageBody body)
    {
        int threads = Math.Max(1, tuning.Threads);
        int outer = Math.Min(threads, p.N);
        int inner = Math.Max(1, threads / outer);
        long colSize = (long)ColRows(p) * p.Ho * p.Wo;
        Parallel.For(0, outer, new ParallelOptions { MaxDegreeOfParallelism = outer }, t =>
        {
            using var lease = HostScratch.Rent(HostScratch.Use.Columns, needColumns ? colSize : 0);
            float* col = needColumns ? lease.Ptr : null;
            for (int n = t; n < p.N; n += outer) body(n, col, inner);
        });
    }

    private delegate void ImageBody(int n, float* col, int threadsInside);

    /// <summary>
    /// col[(c·KH + ky)·KW + kx][oy·Wo + ox] = x[c][oy·s − pad + ky·dil][ox·s − pad + kx·dil] (0 outside).
    /// Channels are split over <paramref name="threads"/>: with fewer images than cores (tracking, batch 1) a
    /// serial im2col was a third of a layer's time while the GEMM after it ran on every core.
    /// </summary>
    public static void Im2Col(ConvParams p, float* x, float* col, int threads = 1)
    {
        IntPtr px = (IntPtr)x, pc = (IntPtr)col;
        ForChannels(p, threads, (c0, c1) => Im2ColChannels(p, (float*)px, (float*)pc, c0, c1));
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: dx = Σ over the columns that read each input element; channels split over threads.</summary>
    public static void Col2Im(ConvParams p, float* col, float* dx, int threads = 1)
    {
        IntPtr pc = (IntPtr)col, px = (IntPtr)dx;
        ForChannels(p, threads, (c0, c1) => Col2ImChannels(p, (float*)pc, (float*)px, c0, c1));
    }

    private static void ForChannels(ConvParams p, int threads, Action<int, int> body) => HostRanges.For(p.CinG, threads, body);

    private static void Im2ColChannels(in ConvParams p, float* x, float* col, int c0, int c1)
    {
        int hw = p.Ho * p.Wo;
        for (int c = c0; c < c1; c++)
            for (int ky = 0; ky < p.KH; ky++)
                for (int kx = 0; kx < p.KW; kx++)
                {
                    float* dst = col + (long)((c * p.KH + ky) * p.KW + kx) * hw;
                    float* src = x + (long)c * p.H * p.W;
                    int x0 = -p.PadW + kx * p.DilW;
                    var (lo, hi) = InsideColumns(p, x0);
                    for (int oy = 0; oy < p.Ho; oy++)
                    {
                        int iy = oy * p.StrideH - p.PadH + ky * p.DilH;
                        float* d = dst + oy * p.Wo;
                        if (iy < 0 || iy >= p.H) { new Span<float>(d, p.Wo).Clear(); continue; }
                        float* s = src + iy * p.W;
                        for (int ox = 0; ox < lo; ox++) d[ox] = 0f;
                        StridedRow.Gather(s + lo * p.StrideW + x0, p.StrideW, d + lo, hi - lo);
                        for (int ox = hi; ox < p.Wo; ox++) d[ox] = 0f;   // InsideColumns keeps lo ≤ hi
                    }
                }
    }

    /// <summary>The output columns [lo, hi) whose input column ox·stride + x0 lies inside the image.</summary>
    internal static (int lo, int hi) InsideColumns(in ConvParams p, int x0)
    {
        int lo = x0 >= 0 ? 0 : (-x0 + p.StrideW - 1) / p.StrideW;
        int hi = x0 >= p.W ? 0 : Math.Min(p.Wo, (p.W - 1 - x0) / p.StrideW + 1);
        return (Math.Min(lo, p.Wo), Math.Max(hi, Math.Min(lo, p.Wo)));
    }

    private static void Col2ImChannels(in ConvParams p, float* col, float* dx, int c0, int c1)
    {
        new Span<float>(dx + (long)c0 * p.H * p.W, (c1 - c0) * p.H * p.W).Clear();
        int hw = p.Ho * p.Wo;
        for (int c = c0; c < c1; c++)
            for (int ky = 0; ky < p.KH; ky++)
                for (int kx = 0; kx < p.KW; kx++)
                {
                    float* src = col + (long)((c * p.KH + ky) * p.KW + kx) * hw;
                    float* dst = dx + (long)c * p.H * p.W;
                    for (int oy = 0; oy < p.Ho; oy++)
                    {
                        int iy = oy * p.StrideH - p.PadH + ky * p.DilH;
                        if (iy < 0 || iy >= p.H) continue;
                        float* d = dst + iy * p.W;
                        float* s = src + oy * p.Wo;
                        int x0 = -p.PadW + kx * p.DilW;
                        var (lo, hi) = InsideColumns(p, x0);
                        StridedRow.ScatterAdd(s + lo, d + lo * p.StrideW + x0, p.StrideW, hi - lo);
                    }
                }
    }
}
