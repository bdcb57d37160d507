using Ulast.Tracker.Losses;
using Ulast.Tracker.Model;

namespace Ulast.Tests.Tracker;

public class ReweightAndCptTests
{
    private static Tensor Mask(Device dev, params float[][] boxes) =>
        RegionMask.OfBoxes(Tensor.FromArray(dev, boxes.SelectMany(b => b).ToArray(), boxes.Length, 4), new RegionMaskConfig());

    [Fact]
    public void IdenticalMasksGiveOne()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var m = Mask(dev, new float[] { 100, 100, 60, 40 }, new float[] { 150, 120, 30, 80 });
        Assert.All(MaskReweighting.Weights(m, m, new ReweightConfig()).ToArray(), w => Assert.Equal(1f, w, 5));
    }

    [Fact]
    public void DisjointMasksGiveTheMinimumAndWeightsFallWithDisagreement()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var cfg = new ReweightConfig();
        var pseudo = Mask(dev, new float[] { 100, 100, 60, 60 }, new float[] { 100, 100, 60, 60 }, new float[] { 100, 100, 60, 60 }, new float[] { 100, 100, 60, 60 });
        var predicted = Mask(dev, new float[] { 100, 100, 60, 60 }, new float[] { 108, 100, 60, 60 }, new float[] { 124, 100, 60, 60 }, new float[] { 220, 220, 30, 30 });
        var raw = MaskReweighting.RawWeights(predicted, pseudo, cfg);
        Assert.Equal(1f, raw[0], 5);
        Assert.True(raw[0] > raw[1] && raw[1] > raw[2], string.Join(", ", raw));
        Assert.Equal(cfg.WMin, raw[3], 5);
        var w = MaskReweighting.Weights(predicted, pseudo, cfg).ToArray();
        Assert.Equal(1f, w.Average(), 4);
        Assert.True(w[0] > w[3]);
    }

    [Fact]
    public void AScoreThresholdMakesTheWeightsTellAGoodPredictionFromABadOne()
    {
        // Two samples, the pseudo box at (100,100) in both. Each has one confident box — on the target in sample 0,
        // far off in sample 1 — among 400 background boxes of score 0.05, as a trained network's output looks.
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var rng = new Random(4);
        int k = 401;
        var boxes = new float[2 * k * 4];
        var scores = new float[2 * k];
        for (int b = 0; b < 2; b++)
        {
            for (int i = 1; i < k; i++)
            {
                int o = (b * k + i) * 4;
                boxes[o] = (float)(rng.NextDouble() * 255); boxes[o + 1] = (float)(rng.NextDouble() * 255);
                boxes[o + 2] = 30 + (float)(rng.NextDouble() * 60); boxes[o + 3] = 30 + (float)(rng.NextDouble() * 60);
                scores[b * k + i] = 0.05f;
            }
            float cx = b == 0 ? 100 : 200;
            boxes[b * k * 4] = cx; boxes[b * k * 4 + 1] = cx; boxes[b * k * 4 + 2] = 60; boxes[b * k * 4 + 3] = 60;
            scores[b * k] = 0.95f;
        }
        var bt = Tensor.FromArray(dev, boxes, 2, k, 4);
        var st = Tensor.FromArray(dev, scores, 2, k);
        var pseudo = Mask(dev, new float[] { 100, 100, 60, 60 }, new float[] { 100, 100, 60, 60 });
        var cfg = new ReweightConfig { PeakFraction = 0f };   // compared by value, as when the threshold was added
        float[] Raw(float threshold) => MaskReweighting.RawWeights(RegionMask.Build(bt, st, new RegionMaskConfig { Threshold = threshold }), pseudo, cfg);
        var all = Raw(0f);
        Assert.Equal(all[0], all[1], 5);                 // every box: both samples look equally wrong
        var confident = Raw(cfg.ScoreThreshold);
        Assert.Equal(1f, confident[0], 4);              // the confident box alone agrees with the pseudo box
        Assert.Equal(cfg.WMin, confident[1], 4);
    }

    [Fact]
    public void RegionsRelativeToThePeakTellASoftPredictionOnTheTargetFromOneBesideIt()
    {
        // As a trained network predicts: 25 confident boxes around the object (5 offsets × the 5 anchor ratios),
        // so M̂ is soft and spreads beyond the pseudo box. Sample 0 sits on the pseudo box, sample 1 100 px away.
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        float[] ratios = { 0.33f, 0.5f, 1f, 2f, 3f };
        (float x, float y)[] offsets = { (0, 0), (8, 0), (-8, 0), (0, 8), (0, -8) };
        var boxes = new List<float>();
        var scores = new List<float>();
        foreach (float centre in new[] { 100f, 200f })
            foreach (var (x, y) in offsets)
                foreach (float r in ratios)
                {
                    boxes.AddRange(new[] { centre + x, centre + y, 64 / MathF.Sqrt(r), 64 * MathF.Sqrt(r) });
                    scores.Add(r == 1f && x == 0 && y == 0 ? 0.9f : 0.6f);
                }
        var predicted = RegionMask.Build(Tensor.FromArray(dev, boxes.ToArray(), 2, 25, 4), Tensor.FromArray(dev, scores.ToArray(), 2, 25), new RegionMaskConfig());
        var pseudo = Mask(dev, new float[] { 100, 100, 60, 60 }, new float[] { 100, 100, 60, 60 });
        var byValue = MaskReweighting.RawWeights(predicted, pseudo, new ReweightConfig { PeakFraction = 0f });
        Assert.All(byValue, w => Assert.Equal(0.05f, w, 5));   // by value both look equally wrong
        var cfg = new ReweightConfig();
        Assert.Equal(0.5f, cfg.PeakFraction);
        var regions = MaskReweighting.RawWeights(predicted, pseudo, cfg);
        Assert.True(regions[0] > 0.6f, $"on-target sample weighs {regions[0]}");
        Assert.Equal(cfg.WMin, regions[1], 5);
        var w = MaskReweighting.Weights(predicted, pseudo, cfg).ToArray();
        Assert.True(w[0] > 1.5f && w[1] < 0.5f, string.Join(", ", w));   // after the rescaling to mean 1
        // A sample whose predicted mask is empty (no box above the score gate) disagrees entirely.
        var empty = Tensor.Zeros(dev, 1, 31, 31);
        Assert.Equal(cfg.WMin, MaskReweighting.RawWeights(empty, Mask(dev, new float[] { 100, 100, 60, 60 }), cfg)[0], 5);
    }

    [Fact]
    public void DisabledGivesOnes()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var a = Mask(dev, new float[] { 100, 100, 60, 60 });
        var b = Mask(dev, new float[] { 200, 200, 10, 10 });
        Assert.Equal(new[] { 1f }, MaskReweighting.Weights(a, b, new ReweightConfig { Enabled = false }).ToArray());
    }

    [Fact]
    public void CptProducesATemplateAndTheResidualSwitchChangesIt()
    {
        using var dev = TestDevice.Cpu();
        using var plain = new Cpt(dev, 8, new Random(1));
        using var residual = new Cpt(dev, 8, new Random(1), addFirstTemplate: true);
        var rng = new Random(2);
        using var s = new TensorScope();
        var search = Tensor.FromArray(dev, TestDevice.Random(rng, 2 * 8 * 31 * 31), 2, 8, 31, 31);
        var mask = Tensor.FromArray(dev, TestDevice.Random(rng, 2 * 31 * 31, 0, 1), 2, 31, 31);
        var first = Tensor.FromArray(dev, TestDevice.Random(rng, 2 * 8 * 7 * 7), 2, 8, 7, 7);
        var prev = Tensor.FromArray(dev, TestDevice.Random(rng, 2 * 8 * 7 * 7), 2, 8, 7, 7);
        var a = plain.Forward(search, mask, first, prev);
        var b = residual.Forward(search, mask, first, prev);
        Assert.Equal(new[] { 2, 8, 7, 7 }, a.Shape);
        var diff = Ops.Sub(b, a).ToArray();
        TestDevice.AssertClose(first.ToArray().Select(v => (double)v).ToArray(), diff, 1e-5, 1e-5, "residual adds T1");
        // A mask of zeros hides the search features: the template no longer depends on them.
        var zeros = Tensor.Zeros(dev, 2, 31, 31);
        var other = Tensor.FromArray(dev, TestDevice.Random(rng, 2 * 8 * 31 * 31), 2, 8, 31, 31);
        plain.Eval();
        TestDevice.AssertClose(plain.Forward(search, zeros, first, prev).ToArray().Select(v => (double)v).ToArray(), plain.Forward(other, zeros, first, prev).ToArray(), 1e-6, 0);
    }
}
