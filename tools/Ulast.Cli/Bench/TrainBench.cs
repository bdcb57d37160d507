using System.Diagnostics;
using System.Text.Json;
using OpenCvSharp;
using Ulast.Kernels.Host;
using Ulast.Autograd.Optim;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.Training;

namespace Ulast.Cli.Bench;

/// <summary>
/// `ulast bench train`: median ms of a naive step (batch 16) and a cycle step (batch 8) of the `small` model,
/// split into forward (losses included), backward and optimiser, and the share of each op family from the
/// op profiler. Inputs are synthetic (noise frames): this measures compute, not data loading.
/// </summary>
public static class TrainBench
{
    private static readonly (string family, string[] ops)[] Families =
    {
        ("conv", new[] { "conv2d", "conv_bn" }), ("xcorr", new[] { "xcorr" }), ("batchnorm", new[] { "batchnorm" }),
        ("attention", new[] { "matmul", "softmax" }), ("region mask", new[] { "overlap_x", "overlap_y", "step", "decode" }),
        ("losses", new[] { "bce_loss", "giou_loss", "iou_loss" }),
    };

    /// <param name="frozenBackbone">The backbone frozen as in the first stage on a pretrained one: evaluation-mode BatchNorm, no gradient.</param>
    public static int Run(Device dev, int naiveBatch, int cycleBatch, int repeats, string? json, TextWriter log, string backbone = "small", bool frozenBackbone = false)
    {
        var cfg = new TrainConfig { NaiveBatch = naiveBatch, CycleBatch = cycleBatch, LambdaCycle = 1f, Model = BenchBackbone.Config(backbone) };
        if (frozenBackbone) cfg = cfg with { TrainOnly = new[] { "neck.", "rpn.", "cpt." } };
        using var model = new SiameseRpn(dev, cfg.Model);
        var trained = Trainer.TrainedParameters(model, cfg);
        using var loss = new TrainingLoss(model, cfg);
        using var opt = new Sgd(trained, 1e-4f, 0.9f, 1e-4f);
        var rng = new Random(3);
        log.WriteLine($"device: {dev.Name}; {backbone} model{(frozenBackbone ? " (backbone frozen)" : "")}, {model.ParameterCount:N0} parameters; {repeats} repeats, medians");
        var rows = new List<object>();
        foreach (var (name, batch) in new[] { ("naive", naiveBatch), ("cycle", cycleBatch) })
        {
            var fwd = new List<double>(); var bwd = new List<double>(); var upd = new List<double>();
            var ops = new Dictionary<string, double>();
            long allocs = 0, allocBytes = 0, scratchNested = 0, scratchGrown = 0;
            for (int r = 0; r < repeats + 1; r++)
            {
                using var samples = Synthetic(dev, cfg, rng, name == "cycle");
                using var scope = new TensorScope();
                if (r > 0) OpProfiler.Start(dev);
                long a0 = dev.Pool.AllocationCount, b0 = dev.Pool.AllocatedBytes;
                var (n0, g0) = HostScratch.AllocatedBytes;
                var sw = Stopwatch.StartNew();
                var l = name == "naive" ? loss.Naive(samples.Naive).Loss : loss.Cycle(samples).Loss;
                l.Item();
                double f = sw.Elapsed.TotalMilliseconds;
                l.Backward();
                dev.Synchronize();   // on a GPU the backward's kernels are still queued here
                double b = sw.Elapsed.TotalMilliseconds - f;
                var prof = r > 0 ? OpProfiler.Stop() : null;
                opt.Step();
                opt.ZeroGrad();
                dev.Synchronize();
                double u = sw.Elapsed.TotalMilliseconds - f - b;
                if (r == 0) continue;   // warm-up
                allocs += dev.Pool.AllocationCount - a0; allocBytes += dev.Pool.AllocatedBytes - b0;
                var (n1, g1) = HostScratch.AllocatedBytes;
                scratchNested += n1 - n0; scratchGrown += g1 - g0;
                fwd.Add(f); bwd.Add(b); upd.Add(u);
                foreach (var (k, v) in prof!) ops[k] = ops.GetValueOrDefault(k) + v / repeats;
            }
            double F = Median(fwd), B = Median(bwd), U = Median(upd), total = F + B + U;
            double profiled = ops.Values.Sum();
            var shares = Families.Select(fam => (fam.family, ms: ops.Where(kv => fam.ops.Contains(kv.Key.Split('.')[0])).Sum(kv => kv.Value))).ToList();
            shares.Add(("other", profiled - shares.Sum(s => s.ms)));
            log.WriteLine($"{name} step b{batch}: {total:F0} ms (forward {F:F0}, backward {B:F0}, optimiser {U:F1})");
            log.WriteLine("  share of profiled op time: " + string.Join(", ", shares.Select(s => $"{s.family} {100 * s.ms / Math.Max(1e-9, profiled):F0}%")));
            log.WriteLine("  slowest ops: " + string.Join(", ", ops.OrderByDescending(kv => kv.Value).Take(8).Select(kv => $"{kv.Key} {kv.Value:F1} ms")));
            log.WriteLine($"  device buffers newly allocated per timed step: {allocs / (double)repeats:F0} (net {allocBytes / (double)repeats / (1 << 20):F0} MB); host scratch allocated per timed step: {scratchNested / (double)repeats / (1 << 20):F0} MB for nested uses, {scratchGrown / (double)repeats / (1 << 20):F0} MB in growing slots");
            var (resident, peak) = ProcessMemory.Read();   // the peak is the process's: the naive steps run first
            log.WriteLine($"  resident memory after the {name} steps: {ProcessMemory.Gb(resident)}; peak so far {ProcessMemory.Gb(peak)}");
            rows.Add(new { step = name, backbone, frozen_backbone = frozenBackbone, batch, total_ms = total, resident_bytes = resident, peak_bytes = peak, forward_ms = F, backward_ms = B, optimizer_ms = U, families_ms = shares.ToDictionary(s => s.family, s => s.ms), ops_ms = ops });
        }
        if (json is not null) AtomicFile.WriteAllText(json, JsonSerializer.Serialize(new { device = dev.Name, rows }, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    private static double Median(List<double> v) { var s = v.OrderBy(x => x).ToList(); return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2; }

    /// <summary>Noise crops and noise frames with boxes near the centre: the shapes of real training, none of its I/O.</summary>
    private static StepSamples Synthetic(Device dev, TrainConfig cfg, Random rng, bool cycle)
    {
        int b = cfg.NaiveBatch, zs = cfg.Model.TemplateSize, xs = cfg.Model.SearchSize;
        float[] Noise(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = rng.Next(256); return a; }
        var boxes = new float[b * 4];
        for (int i = 0; i < b; i++) { boxes[i * 4] = 127 + rng.Next(-40, 40); boxes[i * 4 + 1] = 127 + rng.Next(-40, 40); boxes[i * 4 + 2] = 40 + rng.Next(60); boxes[i * 4 + 3] = 40 + rng.Next(60); }
        var naive = new PairBatch
        {
            Templates = Tensor.PersistentFromArray(dev, Noise(b * 3 * zs * zs), b, 3, zs, zs),
            Searches = Tensor.PersistentFromArray(dev, Noise(b * 3 * xs * xs), b, 3, xs, xs),
            Boxes = Tensor.PersistentFromArray(dev, boxes, b, 4),
        };
        if (!cycle) return new StepSamples { Naive = naive };
        int c = cfg.CycleBatch;
        var clips = Enumerable.Range(0, c).Select(_ =>
        {
            var frames = Enumerable.Range(0, 4).Select(_ => { var m = new Mat(360, 480, MatType.CV_8UC3); Cv2.Randu(m, Scalar.All(0), Scalar.All(255)); return m; }).ToArray();
            return new CycleClip { Frames = frames, Indices = new[] { 0, 1, 2, 3 }, Box0 = new BoxF(200, 140, 60, 80), MeanColour = new[] { 128f, 128f, 128f } };
        }).ToArray();
        return new StepSamples
        {
            Naive = naive, Clips = clips, ClipSeeds = Enumerable.Range(0, c).ToArray(),
            ClipTemplates = Tensor.PersistentFromArray(dev, Noise(c * 3 * zs * zs), c, 3, zs, zs),
        };
    }
}
