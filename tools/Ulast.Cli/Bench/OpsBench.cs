using Ulast.Autograd.Modules;
using Ulast.Tracker.Anchors;
using Ulast.Tracker.IO;
using Ulast.Tracker.Losses;
using Ulast.Tracker.Model;

namespace Ulast.Cli.Bench;

/// <summary>
/// `ulast bench ops`: median time of ULAST's own ops at training shapes — batch 16, K = 3125 anchors
/// (25×25×5), a 31×31 search grid, 256 channels for CPT — forward, and forward+backward where differentiable.
/// </summary>
public static class OpsBench
{
    public static int Run(Device dev, int batch, int channels, int repeats, string? jsonPath, TextWriter o)
    {
        o.WriteLine($"device: {dev.Name}   batch {batch}, K = 3125, grid 31×31, CPT channels {channels}");
        var rows = new List<(string op, string shape, string mode, double ms)>();
        var rng = new Random(1);
        var anchorCfg = new AnchorConfig();
        var maskCfg = new RegionMaskConfig();
        int k = anchorCfg.Count;
        using var anchors = Tensor.PersistentFromArray(dev, anchorCfg.Generate(), k, 4);
        using var deltas = Tensor.PersistentFromArray(dev, Init.Uniform(rng, batch * 20 * 625, -0.3, 0.3), batch, 20, 25, 25);
        using var logits = Tensor.PersistentFromArray(dev, Init.Uniform(rng, batch * k, -3, 3), batch, k);
        var gt = new float[batch * 4];
        for (int b = 0; b < batch; b++) { gt[b * 4] = 100 + 50 * (float)rng.NextDouble(); gt[b * 4 + 1] = 100 + 50 * (float)rng.NextDouble(); gt[b * 4 + 2] = 40 + 60 * (float)rng.NextDouble(); gt[b * 4 + 3] = 40 + 60 * (float)rng.NextDouble(); }
        using var target = Tensor.PersistentFromArray(dev, gt, batch, 4);

        void Time(string op, string shape, Func<Tensor[]> forward, Tensor[] leaves)
        {
            double f = Timing.MedianMs(() => { using var s = new TensorScope(); using var ng = GradMode.NoGrad(); forward(); dev.Synchronize(); }, repeats: repeats);
            rows.Add((op, shape, "forward", f));
            o.WriteLine($"{op,-14} {shape,-40} forward          {f,9:F2} ms");
            if (leaves.Length == 0) return;
            foreach (var l in leaves) l.RequiresGrad = true;
            double fb = Timing.MedianMs(() =>
            {
                using (var s = new TensorScope())
                {
                    var outs = forward();
                    var loss = outs.Select(Ops.SumAll).Aggregate(Ops.Add);
                    loss.Backward();
                    dev.Synchronize();
                }
                foreach (var l in leaves) l.ZeroGrad();
            }, repeats: repeats);
            foreach (var l in leaves) l.RequiresGrad = false;
            rows.Add((op, shape, "forward+backward", fb));
            o.WriteLine($"{op,-14} {shape,-40} forward+backward {fb,9:F2} ms");
        }

        Time("decode", $"[{batch},20,25,25] → [{batch},3125,4]", () => new[] { BoxOps.Decode(deltas, anchors, 5) }, new[] { deltas });
        Time("atss", $"[{batch},4] → labels [{batch},3125]", () => { var r = Atss.Assign(anchors, target); return new[] { r.Labels, r.Targets }; }, Array.Empty<Tensor>());
        Time("region_mask", $"[{batch},3125,4],[{batch},3125] → [{batch},31,31]", () =>
        {
            var boxes = BoxOps.Decode(deltas, anchors, 5);
            var scores = Ops.Sigmoid(logits);
            return new[] { RegionMask.Build(boxes, scores, maskCfg) };
        }, new[] { deltas, logits });
        Time("bce_loss", $"[{batch},3125]", () =>
        {
            var r = Atss.Assign(anchors, target);
            return new[] { TrackingLosses.Classification(logits, r.Labels) };
        }, new[] { logits });
        Time("giou_loss", $"[{batch},3125,4] vs [{batch},4]", () =>
        {
            var r = Atss.Assign(anchors, target);
            return new[] { TrackingLosses.Regression(BoxOps.Decode(deltas, anchors, 5), target, r.Labels, giou: true) };
        }, new[] { deltas });
        Time("reweight", $"[{batch},31,31] ×2 → [{batch}]", () =>
        {
            var m = RegionMask.Build(BoxOps.Decode(deltas, anchors, 5), Ops.Sigmoid(logits), maskCfg);
            return new[] { MaskReweighting.Weights(m, RegionMask.OfBoxes(target, maskCfg), new ReweightConfig()) };
        }, Array.Empty<Tensor>());
        using (var cpt = new Cpt(dev, channels, new Random(2)))
        using (var search = Tensor.PersistentFromArray(dev, Init.Uniform(rng, batch * channels * 961, -1, 1), batch, channels, 31, 31))
        using (var mask = Tensor.PersistentFromArray(dev, Init.Uniform(rng, batch * 961, 0, 1), batch, 31, 31))
        using (var first = Tensor.PersistentFromArray(dev, Init.Uniform(rng, batch * channels * 49, -1, 1), batch, channels, 7, 7))
        using (var prev = Tensor.PersistentFromArray(dev, Init.Uniform(rng, batch * channels * 49, -1, 1), batch, channels, 7, 7))
        {
            Time("cpt", $"S[{batch},{channels},31,31] T[{batch},{channels},7,7]", () => new[] { cpt.Forward(search, mask, first, prev) }, new[] { search, mask });
            cpt.ZeroGrad();
        }
        if (jsonPath is not null)
        {
            var doc = new { device = dev.Name, batch, channels, results = rows.Select(r => new { op = r.op, shape = r.shape, mode = r.mode, median_ms = Math.Round(r.ms, 3) }) };
            AtomicFile.WriteAllText(jsonPath, System.Text.Json.JsonSerializer.Serialize(doc, new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            o.WriteLine($"wrote {jsonPath}");
        }
        return 0;
    }
}
