using Ulast.Tracker.Losses;

namespace Ulast.Tests.Tracker;

public class LossTests
{
    [Fact]
    public void ClassificationLossMatchesTheFormula()
    {
        using var dev = TestDevice.Cpu();
        var logits = new float[] { 2f, -1f, 0.5f, -3f, 1f, 0f };
        var labels = new float[] { 1, 0, 0, -1, 1, 0 };
        using var s = new TensorScope();
        var loss = TrackingLosses.Classification(Tensor.FromArray(dev, logits, 1, 6), Tensor.FromArray(dev, labels, 1, 6)).ToArray();
        double Bce(double x, double y) => -(y * Math.Log(1 / (1 + Math.Exp(-x))) + (1 - y) * Math.Log(1 - 1 / (1 + Math.Exp(-x))));
        double expected = 0.5 * (Bce(2, 1) + Bce(1, 1)) / 2 + 0.5 * (Bce(-1, 0) + Bce(0.5, 0) + Bce(0, 0)) / 3;
        Assert.Equal(expected, loss[0], 5);
    }

    [Fact]
    public void ClassificationLossIsFiniteForExtremeLogits()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var x = Tensor.FromArray(dev, new[] { 90f, -90f, 1e4f, -1e4f }, 1, 4);
        x.RequiresGrad = true;
        var loss = TrackingLosses.Classification(x, Tensor.FromArray(dev, new[] { 1f, 0f, 0f, 1f }, 1, 4));
        Ops.SumAll(loss).Backward();
        Assert.True(float.IsFinite(loss.Item()));
        Assert.All(x.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RegressionLossIsSafeForZeroAreaAndDisjointBoxes(bool giou)
    {
        using var dev = TestDevice.Cpu();
        var boxes = new float[]
        {
            30, 30, 20, 20,   // identical to the target
            30, 30, 0, 20,    // zero width
            30, 30, 0, 0,     // a point
            90, 90, 10, 10,   // disjoint
            30, 30, 10, 10,   // inside
        };
        using var s = new TensorScope();
        var b = Tensor.FromArray(dev, boxes, 1, 5, 4);
        b.RequiresGrad = true;
        var per = new List<float>();
        for (int i = 0; i < 5; i++)
        {
            var labels = new float[5];
            labels[i] = 1;
            per.Add(TrackingLosses.Regression(b, Tensor.FromArray(dev, new float[] { 30, 30, 20, 20 }, 1, 4), Tensor.FromArray(dev, labels, 1, 5), giou).Item());
        }
        var all = TrackingLosses.Regression(b, Tensor.FromArray(dev, new float[] { 30, 30, 20, 20 }, 1, 4), Tensor.Full(dev, 1f, 1, 5), giou);
        Ops.SumAll(all).Backward();
        Assert.All(per, v => Assert.True(float.IsFinite(v)));
        Assert.All(b.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Equal(0f, per[0], 4);                      // identical boxes: no loss
        Assert.True(per[4] > 0 && per[3] > per[4]);       // disjoint is worse than inside
        if (giou) Assert.True(per[3] > 1f);               // GIoU keeps a gradient-bearing penalty for disjoint boxes
        // A zero-area target against a zero-area prediction stays finite too.
        var z = TrackingLosses.Regression(Tensor.FromArray(dev, new float[] { 5, 5, 0, 0 }, 1, 1, 4), Tensor.FromArray(dev, new float[] { 5, 5, 0, 0 }, 1, 4), Tensor.Full(dev, 1f, 1, 1), giou);
        Assert.True(float.IsFinite(z.Item()));
    }

    [Fact]
    public void CombinedLossWeighsSamples()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var cls = Tensor.FromArray(dev, new[] { 1f, 3f }, 2);
        var reg = Tensor.FromArray(dev, new[] { 2f, 0f }, 2);
        var w = Tensor.FromArray(dev, new[] { 0.5f, 1.5f }, 2);
        Assert.Equal((0.5 * (1 + 1.2 * 2) + 1.5 * 3) / 2, TrackingLosses.Combine(cls, reg, w).Item(), 5);
    }
}
