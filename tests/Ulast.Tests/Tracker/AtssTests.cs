using Ulast.Kernels.Reference;
using Ulast.Tracker.Anchors;

namespace Ulast.Tests.Tracker;

public class AtssTests
{
    private static (float[] labels, float[] thr) Run(Device dev, float[] anchors, float[] boxes, int topK = 15)
    {
        using var s = new TensorScope();
        var r = Atss.Assign(Tensor.FromArray(dev, anchors, anchors.Length / 4, 4), Tensor.FromArray(dev, boxes, boxes.Length / 4, 4), topK);
        return (r.Labels.ToArray(), r.Thresholds.ToArray());
    }

    [Fact]
    public void HandComputedFourAnchors()
    {
        // Four 10×10 anchors at (0,0), (10,0), (0,10), (10,10); box centred at (2,2), 10×10; top 3.
        // Candidates 0, 1, 2. IoUs 64/136, 16/184, 16/184; threshold = mean + std = 0.43630.
        // Anchor 0 passes and its centre lies inside the box; 1 and 2 fall below the threshold.
        using var dev = TestDevice.Cpu();
        var anchors = new float[] { 0, 0, 10, 10, 10, 0, 10, 10, 0, 10, 10, 10, 10, 10, 10, 10 };
        var (labels, thr) = Run(dev, anchors, new float[] { 2, 2, 10, 10 }, topK: 3);
        Assert.Equal(new float[] { 1, 0, 0, 0 }, labels);
        double i0 = 64.0 / 136, i1 = 16.0 / 184, mean = (i0 + 2 * i1) / 3;
        double std = Math.Sqrt(((i0 - mean) * (i0 - mean) + 2 * (i1 - mean) * (i1 - mean)) / 2);
        Assert.Equal(mean + std, thr[0], 5);
    }

    [Fact]
    public void HandComputedInsideRuleDecidesWithOneCandidate()
    {
        // With one candidate the threshold equals its IoU, so only the centre-inside rule decides.
        // Box (9,0) 4×4 spans [7,11]: the closest anchor (10,0) has its centre inside → positive.
        // Box (4.5,0) 4×4 spans [2.5,6.5]: the closest anchor (0,0) has its centre outside → negative.
        using var dev = TestDevice.Cpu();
        var anchors = new float[] { 0, 0, 10, 10, 10, 0, 10, 10, 0, 10, 10, 10, 10, 10, 10, 10 };
        Assert.Equal(new float[] { 0, 1, 0, 0 }, Run(dev, anchors, new float[] { 9, 0, 4, 4 }, topK: 1).labels);
        Assert.Equal(new float[] { 0, 0, 0, 0 }, Run(dev, anchors, new float[] { 4.5f, 0, 4, 4 }, topK: 1).labels);
    }

    public static IEnumerable<object[]> RealAnchorCases() => new[]
    {
        new object[] { "centre", new float[] { 127, 127, 64, 64 } },
        new object[] { "border", new float[] { 30, 40, 40, 50 } },
        new object[] { "tiny", new float[] { 127, 127, 4, 4 } },
        new object[] { "huge", new float[] { 127, 127, 250, 250 } },
        new object[] { "wide", new float[] { 127, 127, 200, 10 } },
        // Off the anchor row, the best IoU (0.2430) falls just under mean + std (0.2436): ATSS gives no positive.
        new object[] { "wide_off_row", new float[] { 127, 131, 200, 10 } },
        new object[] { "tall", new float[] { 100, 127, 12, 180 } },
    };

    [Theory]
    [MemberData(nameof(RealAnchorCases))]
    public void RealAnchorsMatchTheReferenceOnBothPaths(string name, float[] box)
    {
        var anchors = new AnchorConfig().Generate();
        var expected = TrackingReference.Atss(anchors, box, 15);
        foreach (var hostPath in new[] { true, false })
        {
            using var dev = TestDevice.Cpu(hostPath);
            var (labels, _) = Run(dev, anchors, box);
            Assert.Equal(expected.Select(v => (float)v).ToArray(), labels);
            var (again, _) = Run(dev, anchors, box);
            Assert.Equal(labels, again); // deterministic
            for (int k = 0; k < labels.Length; k++)
                if (labels[k] > 0)
                {
                    Assert.InRange(anchors[k * 4], box[0] - box[2] / 2, box[0] + box[2] / 2);
                    Assert.InRange(anchors[k * 4 + 1], box[1] - box[3] / 2, box[1] + box[3] / 2);
                }
        }
        Assert.Equal(name != "wide_off_row", expected.Sum() > 0);
    }

    [Fact]
    public void CentredBoxMakesTheMatchingAnchorPositive()
    {
        using var dev = TestDevice.Cpu();
        var (labels, _) = Run(dev, new AnchorConfig().Generate(), new float[] { 127, 127, 64, 64 });
        Assert.Equal(1f, labels[(2 * 25 + 12) * 25 + 12]);
    }

    [Fact]
    public void WideBoxKeepsPositivesOnItsRow()
    {
        using var dev = TestDevice.Cpu();
        var anchors = new AnchorConfig().Generate();
        var (labels, _) = Run(dev, anchors, new float[] { 127, 127, 200, 10 });
        for (int k = 0; k < labels.Length; k++) if (labels[k] > 0) Assert.Equal(127f, anchors[k * 4 + 1]);
    }

    [Fact]
    public void DegenerateBoxHasNoPositives()
    {
        using var dev = TestDevice.Cpu();
        var (labels, _) = Run(dev, new AnchorConfig().Generate(), new float[] { 127, 127, 0, 30, 100, 100, 30, -2 });
        Assert.All(labels, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void BatchOfRandomBoxesMatchesTheReference()
    {
        using var dev = TestDevice.Cpu();
        var anchors = new AnchorConfig().Generate();
        var rng = new Random(17);
        var boxes = new float[8 * 4];
        for (int i = 0; i < 8; i++)
        {
            boxes[i * 4] = (float)(20 + 215 * rng.NextDouble()); boxes[i * 4 + 1] = (float)(20 + 215 * rng.NextDouble());
            boxes[i * 4 + 2] = (float)(8 + 150 * rng.NextDouble()); boxes[i * 4 + 3] = (float)(8 + 150 * rng.NextDouble());
        }
        var (labels, _) = Run(dev, anchors, boxes);
        for (int b = 0; b < 8; b++)
            Assert.Equal(TrackingReference.Atss(anchors, boxes.Skip(b * 4).Take(4).ToArray(), 15).Select(v => (float)v), labels.Skip(b * 3125).Take(3125));
    }
}
