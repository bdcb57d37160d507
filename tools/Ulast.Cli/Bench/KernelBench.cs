using Ulast.Kernels.Host;
using System.Text.Json;
using Ulast.Autograd.Modules;
using Ulast.Tracker.IO;

namespace Ulast.Cli.Bench;

public sealed record BenchRow(string Case, string Mode, double MedianMs, double Gflops, double PercentOfPeak);

/// <summary>
/// `ulast bench kernels`: median time and GFLOP/s of the GEMM-class ops at the shapes the tracker
/// uses, forward and forward+backward (input and weight gradients), through the autograd ops.
/// </summary>
public static class KernelBench
{
    private sealed record ConvCase(string Name, int N, int Cin, int H, int W, int Cout, int K, int Stride, int Pad);

    private static readonly ConvCase[] ConvCases =
    {
        new("conv3x3 [8,64,32,32]->64", 8, 64, 32, 32, 64, 3, 1, 1),
        new("conv3x3 [8,256,31,31]->256", 8, 256, 31, 31, 256, 3, 1, 1),
        new("conv7x7/2 [1,3,255,255]->64", 1, 3, 255, 255, 64, 7, 2, 3),
        new("conv1x1 [8,256,15,15]->256", 8, 256, 15, 15, 256, 1, 1, 0),
    };

    public static int Run(Device dev, int repeats, string? jsonPath, string? only, TextWriter o)
    {
        int threads = Environment.ProcessorCount;
        double peak = dev.IsCpu ? FmaCeiling.MeasureGflops(threads) : double.NaN;
        o.WriteLine($"device: {dev.Name}");
        if (dev.IsCpu) o.WriteLine($"measured fp32 FMA ceiling: {peak:F1} GFLOP/s ({threads} threads, {(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "AVX-512" : "AVX2")})");
        var rows = new List<BenchRow>();
        var rng = new Random(1);
        foreach (var c in ConvCases)
        {
            if (only is not null && !c.Name.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            var p = new ConvParams(c.N, c.Cin, c.H, c.W, c.Cout, c.K, c.K, c.Stride, c.Stride, c.Pad, c.Pad, 1, 1, 1);
            using var x = Tensor.PersistentFromArray(dev, Init.Uniform(rng, p.InputSize, -1, 1), c.N, c.Cin, c.H, c.W);
            using var w = Tensor.PersistentFromArray(dev, Init.Uniform(rng, p.WeightSize, -0.1, 0.1), c.Cout, c.Cin, c.K, c.K);
            bool winograd = dev.HostPath && HostWinograd.Applies(dev.Tuning, p);
            Measure(rows, o, peak, c.Name, p.Flops, dev, repeats, x, w, (a, b) => Ops.Conv2d(a, b, c.Stride, c.Pad), winograd);
            if (dev.HostPath) MeasureGradients(dev.Tuning, rows, o, peak, c.Name, p, repeats, x, w, winograd);
        }
        if (only is null || "xcorr".Contains(only, StringComparison.OrdinalIgnoreCase) || only.Contains("xcorr", StringComparison.OrdinalIgnoreCase))
        {
            var p = new XcorrParams(8, 256, 31, 31, 7, 7);
            using var s = Tensor.PersistentFromArray(dev, Init.Uniform(rng, p.SearchSize, -1, 1), 8, 256, 31, 31);
            using var k = Tensor.PersistentFromArray(dev, Init.Uniform(rng, p.KernelSize, -1, 1), 8, 256, 7, 7);
            Measure(rows, o, peak, "dw-xcorr [8,256,31,31]*[8,256,7,7]", p.Flops, dev, repeats, s, k, Ops.DepthwiseXcorr);
        }
        if (dev.HostPath && dev.Tuning.Winograd)
            o.WriteLine("3×3 stride-1 convolutions of 2+ images run through Winograd's F(2×2, 3×3): their GFLOP/s and % of peak count the direct convolution's FLOPs, 2.25× the multiplies done (--no-winograd: im2col + GEMM)");
        if (jsonPath is not null)
        {
            var doc = new
            {
                device = dev.Name,
                fma_ceiling_gflops = dev.IsCpu ? Math.Round(peak, 1) : (double?)null,
                results = rows.Select(r => new { @case = r.Case, mode = r.Mode, median_ms = Math.Round(r.MedianMs, 3), gflops = Math.Round(r.Gflops, 2), percent_of_peak = double.IsNaN(r.PercentOfPeak) ? (double?)null : Math.Round(r.PercentOfPeak, 1) }),
            };
            AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            o.WriteLine($"wrote {jsonPath}");
        }
        return 0;
    }

    private static void Measure(List<BenchRow> rows, TextWriter o, double peak, string name, long flops, Device dev, int repeats,
        Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> op, bool winograd = false)
    {
        double fwd = Timing.MedianMs(() =>
        {
            using var s = new TensorScope();
            using var ng = GradMode.NoGrad();
            op(a, b);
            dev.Synchronize();
        }, repeats: repeats);
        a.RequiresGrad = b.RequiresGrad = true;
        double fb = Timing.MedianMs(() =>
        {
            using (var s = new TensorScope())
            {
                var y = op(a, b);
                var g = Tensor.Full(dev, 1f, y.Shape);
                y.Backward(g);
                dev.Synchronize();
            }
            a.ZeroGrad();
            b.ZeroGrad();
        }, repeats: repeats);
        a.RequiresGrad = b.RequiresGrad = false;
        Add(rows, o, peak, name, "forward", fwd, flops, winograd);
        Add(rows, o, peak, name, "forward+backward", fb, 3 * flops, winograd);
    }

    /// <summary>
    /// The two halves of a convolution's backward pass on the host, timed apart (the forward+backward row's profile):
    /// the input gradient and the weight gradient, each by im2col + GEMM or, for 3×3 stride-1 layers of 2+ images, by Winograd.
    /// </summary>
    private static unsafe void MeasureGradients(HostTuning tuning, List<BenchRow> rows, TextWriter o, double peak, string name, ConvParams p, int repeats, Tensor x, Tensor w, bool winograd)
    {
        var dy = Init.Uniform(new Random(2), p.OutputSize, -1, 1);
        var dx = new float[p.InputSize];
        var dw = new float[p.WeightSize];
        fixed (float* pdy = dy, pdx = dx, pdw = dw)
        {
            float* g = pdy, gx = pdx, gw = pdw, px = x.HostPointer, pw = w.HostPointer;
            double input = Timing.MedianMs(() => HostConv.BackwardInput(tuning, p, g, pw, gx), repeats: repeats);
            double weight = Timing.MedianMs(() => HostConv.BackwardWeight(tuning, p, px, g, gw), repeats: repeats);
            Add(rows, o, peak, name, "input gradient", input, p.Flops, winograd);
            Add(rows, o, peak, name, "weight gradient", weight, p.Flops, winograd);
        }
    }

    private static void Add(List<BenchRow> rows, TextWriter o, double peak, string name, string mode, double ms, long flops, bool winograd = false)
    {
        double gf = flops / (ms * 1e6);
        var row = new BenchRow(name, mode, ms, gf, gf / peak * 100);
        rows.Add(row);
        // Above 100 % is possible for two reasons, said on the line: Winograd does fewer multiplies than the FLOPs
        // counted, and the machine's speed drifts from the ceiling measured at the start.
        string why = row.PercentOfPeak > 100 ? (winograd ? " (Winograd: 2.25× fewer multiplies than counted)" : " (the machine ran faster than at the ceiling's measurement)") : "";
        o.WriteLine($"{name,-36} {mode,-17} {ms,10:F2} ms {gf,9:F1} GFLOP/s {(double.IsNaN(row.PercentOfPeak) ? "" : $"{row.PercentOfPeak,6:F1} % of peak{why}")}");
    }
}
