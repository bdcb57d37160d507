using Ulast.Tracker.Anchors;

namespace Ulast.Tests.Tracker;

public class AnchorAndDecodeTests
{
    [Fact]
    public void AnchorsFollowSiamRpnPlusPlus()
    {
        var cfg = new AnchorConfig();
        var a = cfg.Generate();
        Assert.Equal(3125, cfg.Count);
        // Ratio 1 (a = 2) at the middle cell (12, 12) is a 64×64 box centred at (127, 127).
        int k = (2 * 25 + 12) * 25 + 12;
        Assert.Equal(new[] { 127f, 127f, 64f, 64f }, a.Skip(k * 4).Take(4));
        // Sizes per ratio: 0.33 → 104×32, 0.5 → 88×40, 2 → 40×80, 3 → 32×96; cell (0, 0) at 127 − 96.
        Assert.Equal(new[] { 31f, 31f, 104f, 32f }, a.Take(4));
        Assert.Equal(new[] { 88f, 40f }, a.Skip(625 * 4 + 2).Take(2));
        Assert.Equal(new[] { 40f, 80f }, a.Skip(3 * 625 * 4 + 2).Take(2));
        Assert.Equal(new[] { 32f, 96f }, a.Skip(4 * 625 * 4 + 2).Take(2));
        Assert.Equal(127f + 8 * 12, a[(0 * 625 + 0 * 25 + 24) * 4]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DecodeMatchesTheFormula(bool hostPath)
    {
        using var dev = TestDevice.Cpu(hostPath);
        var cfg = new AnchorConfig { ScoreSize = 3 };
        var anchors = cfg.Generate();
        var deltas = TestDevice.Random(new Random(3), 2 * 20 * 9, -0.5, 0.5);
        using var s = new TensorScope();
        var boxes = BoxOps.Decode(Tensor.FromArray(dev, deltas, 2, 20, 3, 3), Tensor.FromArray(dev, anchors, 45, 4), 5).ToArray();
        for (int b = 0; b < 2; b++)
            for (int a = 0; a < 5; a++)
                for (int q = 0; q < 9; q++)
                {
                    int k = a * 9 + q;
                    double D(int c) => deltas[(b * 20 + c * 5 + a) * 9 + q];
                    var expected = new[]
                    {
                        anchors[k * 4] + D(0) * anchors[k * 4 + 2], anchors[k * 4 + 1] + D(1) * anchors[k * 4 + 3],
                        anchors[k * 4 + 2] * Math.Exp(D(2)), anchors[k * 4 + 3] * Math.Exp(D(3)),
                    };
                    TestDevice.AssertClose(expected, boxes.Skip((b * 45 + k) * 4).Take(4).ToArray(), 1e-4, 1e-5);
                }
    }
}
