using Ulast.Tracker.Anchors;
using Ulast.Tracker.Losses;
using Ulast.Tracker.Model;

namespace Ulast.GradCheck;

/// <summary>ULAST's own differentiable components (decode, cell overlap, region mask, losses, CPT).</summary>
public static class TrackerGradCases
{
    private static GradCase Case(string op, string shapes, Func<CaseTensors, GradProblem> build, double step = GradChecker.Step, int samples = 0) =>
        new(op, shapes, (d, r) => build(new CaseTensors(d, r)), 1.0, step, samples);

    /// <summary>A 9×9 grid of 8-pixel cells in a 71-pixel crop: cell edges at −0.5 + 8n.</summary>
    public static readonly RegionMaskConfig SmallGrid = new() { GridSize = 9, Stride = 8, CropSize = 71 };

    /// <summary>Boxes that straddle cell edges, stick out of the crop on each side, and one of zero width.</summary>
    private static readonly float[] SpecialBoxes =
    {
        20.3f, 30.2f, 17.4f, 9.3f,    // straddles several cells
        2.1f, 35.6f, 14.2f, 20.2f,    // partly left of the crop
        66.2f, 69.1f, 15.1f, 12.3f,   // partly right of and below the crop
        40.2f, 3.3f, 0f, 12.6f,       // zero width
        35.2f, 35.3f, 90.3f, 85.7f,   // larger than the crop
        11.1f, 52.2f, 3.3f, 3.1f,     // inside one cell
    };

    private static Tensor Boxes(CaseTensors t, Random rng, int b, int k)
    {
        var v = new float[b * k * 4];
        for (int i = 0; i < b * k; i++)
        {
            if (i % k < SpecialBoxes.Length / 4) { Array.Copy(SpecialBoxes, i % k * 4, v, i * 4, 4); continue; }
            v[i * 4] = (float)(rng.NextDouble() * 71); v[i * 4 + 1] = (float)(rng.NextDouble() * 71);
            v[i * 4 + 2] = (float)(4 + rng.NextDouble() * 40); v[i * 4 + 3] = (float)(4 + rng.NextDouble() * 40);
        }
        return t.Const(v, b, k, 4);
    }

    /// <summary>Scores in (0.05, 0.95) kept at least 0.05 away from the gate threshold.</summary>
    private static Tensor Scores(CaseTensors t, Random rng, int b, int k, float threshold)
    {
        var v = new float[b * k];
        for (int i = 0; i < v.Length; i++)
        {
            do v[i] = (float)(0.05 + 0.9 * rng.NextDouble()); while (Math.Abs(v[i] - threshold) < 0.05);
        }
        return t.Const(v, b, k);
    }

    public static IEnumerable<GradCase> All()
    {
        yield return Case("decode", "[2,20,3,3] + anchors[45,4]", t =>
        {
            var anchors = t.Const(new AnchorConfig { ScoreSize = 3 }.Generate(), 45, 4);
            var d = t.Uniform(-0.5, 0.5, 2, 20, 3, 3);
            return t.Problem(() => BoxOps.Decode(d, anchors, 5), d);
        });
        yield return Case("overlap_x", "[2,8,4] → 9 cells", t =>
        {
            var boxes = Boxes(t, new Random(1), 2, 8);
            return t.Problem(() => BoxOps.CellOverlap(boxes, SmallGrid.Axis(0)), boxes);
        }, samples: int.MaxValue);
        yield return Case("overlap_y", "[2,8,4] → 9 cells", t =>
        {
            var boxes = Boxes(t, new Random(2), 2, 8);
            return t.Problem(() => BoxOps.CellOverlap(boxes, SmallGrid.Axis(1)), boxes);
        }, samples: int.MaxValue);
        yield return Case("region_mask", "[2,10,4],[2,10] → [2,9,9]", t =>
        {
            var boxes = Boxes(t, new Random(3), 2, 10);
            var scores = Scores(t, new Random(4), 2, 10, 0f);
            return t.Problem(() => RegionMask.Build(boxes, scores, SmallGrid), boxes, scores);
        }, samples: int.MaxValue);
        yield return Case("region_mask_th", "TH=0.5 [2,10,4] → [2,9,9]", t =>
        {
            var boxes = Boxes(t, new Random(5), 2, 10);
            var scores = Scores(t, new Random(6), 2, 10, 0.5f);
            return t.Problem(() => RegionMask.Build(boxes, scores, SmallGrid with { Threshold = 0.5f }), boxes, scores);
        }, samples: int.MaxValue);
        yield return Case("bce_loss", "[3,40]", t =>
        {
            var rng = new Random(7);
            var logits = t.Uniform(-4, 4, 3, 40);
            var labels = t.Const(Enumerable.Range(0, 120).Select(i => i % 7 == 0 ? 1f : i % 11 == 0 ? -1f : 0f).ToArray(), 3, 40);
            return t.Problem(() => TrackingLosses.Classification(logits, labels), logits);
        });
        foreach (var giou in new[] { false, true })
            yield return Case(giou ? "giou_loss" : "iou_loss", "[2,12,4] vs [2,4]", t =>
            {
                var rng = new Random(giou ? 8 : 9);
                var target = t.Const(new[] { 30f, 32f, 20f, 14f, 50f, 40f, 8f, 26f }, 2, 4);
                var v = new float[2 * 12 * 4];
                for (int i = 0; i < 24; i++)
                {
                    int b = i / 12;
                    float spread = i % 12 < 3 ? 40f : 8f; // the first three are usually disjoint from the target
                    v[i * 4] = (float)(new[] { 30f, 50f }[b] + spread * (rng.NextDouble() - 0.5) + (i % 12 < 3 ? 35 : 0));
                    v[i * 4 + 1] = (float)(new[] { 32f, 40f }[b] + 8 * (rng.NextDouble() - 0.5));
                    v[i * 4 + 2] = (float)(6 + 20 * rng.NextDouble());
                    v[i * 4 + 3] = (float)(6 + 20 * rng.NextDouble());
                }
                var boxes = t.Const(v, 2, 12, 4);
                var labels = t.Const(Enumerable.Range(0, 24).Select(i => i % 5 == 4 ? 0f : 1f).ToArray(), 2, 12);
                return t.Problem(() => TrackingLosses.Regression(boxes, target, labels, giou), boxes);
            }, samples: int.MaxValue);
        foreach (var residual in new[] { false, true })
            yield return Case(residual ? "cpt_residual" : "cpt", "S[2,4,5,5] M[2,5,5] T[2,4,3,3]", t =>
            {
                var cpt = t.Own(new Cpt(t.Device, 4, new Random(10), residual));
                var s = t.Uniform(-1, 1, 2, 4, 5, 5);
                var m = t.Uniform(0, 1, 2, 5, 5);
                var first = t.Uniform(-1, 1, 2, 4, 3, 3);
                var prev = t.Uniform(-1, 1, 2, 4, 3, 3);
                var inputs = new[] { s, m, first, prev }.Concat(cpt.Parameters()).ToArray();
                return t.Problem(() => cpt.Forward(s, m, first, prev), inputs);
            }, step: 1e-3);
    }
}
