using Ulast.Kernels.Reference;
using Ulast.Tracker.Model;

namespace Ulast.Tests.Tracker;

public class RegionMaskTests
{
    [Theory]
    [InlineData(0f, true)]
    [InlineData(0.6f, true)]
    [InlineData(0f, false)]
    public void MatchesTheReferenceAtFullSize(float threshold, bool hostPath)
    {
        using var dev = TestDevice.Cpu(hostPath);
        var cfg = new RegionMaskConfig { Threshold = threshold };
        var rng = new Random(21);
        int b = 2, k = hostPath ? 3125 : 200;
        var boxes = new float[b * k * 4];
        for (int i = 0; i < b * k; i++)
        {
            boxes[i * 4] = (float)(rng.NextDouble() * 300 - 20); boxes[i * 4 + 1] = (float)(rng.NextDouble() * 300 - 20);
            boxes[i * 4 + 2] = (float)(rng.NextDouble() * 120); boxes[i * 4 + 3] = (float)(rng.NextDouble() * 120);
        }
        var scores = TestDevice.Random(rng, b * k, 0, 1);
        using var s = new TensorScope();
        var m = RegionMask.Build(Tensor.FromArray(dev, boxes, b, k, 4), Tensor.FromArray(dev, scores, b, k), cfg);
        Assert.Equal(new[] { b, 31, 31 }, m.Shape);
        var got = m.ToArray();
        for (int n = 0; n < b; n++)
        {
            var expected = TrackingReference.RegionMask(boxes.Skip(n * k * 4).Take(k * 4).ToArray(), scores.Skip(n * k).Take(k).ToArray(), 31, cfg.FirstCentre, 8, threshold);
            TestDevice.AssertClose(expected, got.Skip(n * 961).Take(961).ToArray(), 1e-5, 1e-4);
        }
        Assert.All(got, v => Assert.InRange(v, 0f, 1.00001f));
    }

    [Fact]
    public void OneBoxOnOneCellGivesOneThere()
    {
        using var dev = TestDevice.Cpu();
        var cfg = new RegionMaskConfig();
        // Cell (i=3, j=5) is centred at (7.5 + 40, 7.5 + 24) and spans 8×8 pixels.
        using var s = new TensorScope();
        var m = RegionMask.OfBoxes(Tensor.FromArray(dev, new[] { 47.5f, 31.5f, 8f, 8f }, 1, 4), cfg).ToArray();
        Assert.Equal(1f, m[3 * 31 + 5], 5);
        Assert.Equal(1f, m.Sum(), 4);
        // Half a cell to the right splits the mass evenly between two cells.
        var h = RegionMask.OfBoxes(Tensor.FromArray(dev, new[] { 51.5f, 31.5f, 8f, 8f }, 1, 4), cfg).ToArray();
        Assert.Equal(0.5f, h[3 * 31 + 5], 5);
        Assert.Equal(0.5f, h[3 * 31 + 6], 5);
    }

    [Fact]
    public void NoScoreAboveTheThresholdGivesAnEmptyMaskNotNaN()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var boxes = Tensor.FromArray(dev, new[] { 100f, 100f, 50f, 50f }, 1, 1, 4);
        var scores = Tensor.FromArray(dev, new[] { 0.2f }, 1, 1);
        boxes.RequiresGrad = scores.RequiresGrad = true;
        var m = RegionMask.Build(boxes, scores, new RegionMaskConfig { Threshold = 0.5f });
        Ops.SumAll(m).Backward();
        Assert.All(m.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(boxes.Grad!.ToArray(), v => Assert.True(float.IsFinite(v)));
    }
}
