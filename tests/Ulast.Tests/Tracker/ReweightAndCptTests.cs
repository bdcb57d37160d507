using Ulast.Tracker;

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
