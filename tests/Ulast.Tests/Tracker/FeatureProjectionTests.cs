using Ulast.Tracker.Anchors;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

/// <summary>The principal directions that the discriminative filter [ours] may learn on (FilterConfig.Channels).</summary>
public class FeatureProjectionTests
{
    [Fact]
    public void JacobiRebuildsTheMatrixFromOrthonormalEigenvectors()
    {
        var rng = new Random(4);
        int n = 12;
        var b = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) b[i, j] = rng.NextDouble() * 2 - 1;
        var a = new double[n, n];   // BᵀB: symmetric, positive semi-definite
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) for (int k = 0; k < n; k++) a[i, j] += b[k, i] * b[k, j];
        var (values, v) = FeatureProjection.SymmetricEigen(a);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double rebuilt = 0, dot = 0;
                for (int k = 0; k < n; k++) { rebuilt += v[i, k] * values[k] * v[j, k]; dot += v[k, i] * v[k, j]; }
                Assert.Equal(a[i, j], rebuilt, 1e-9);
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 1e-9);
            }
    }

    [Fact]
    public void TheProjectionKeepsTheStrongestDirectionsFirst()
    {
        // 4 channels over 500 positions: channel 2 strongest, then a direction mixing 0 and 1, channel 3 near zero
        var rng = new Random(9);
        int n = 500;
        var f = new float[4 * n];
        for (int p = 0; p < n; p++)
        {
            double u = rng.NextDouble() * 2 - 1, w = rng.NextDouble() * 2 - 1;
            f[2 * n + p] = (float)(5 * u);
            f[0 * n + p] = (float)(2 * w);
            f[1 * n + p] = (float)(2 * w);
            f[3 * n + p] = (float)(0.01 * (rng.NextDouble() - 0.5));
        }
        var proj = FeatureProjection.Fit(f, 4, 2);
        Assert.Equal(8, proj.Length);
        Assert.Equal(1f, proj[2], 2);                              // row 0: channel 2 (the sample correlates a little)
        Assert.Equal(1 / MathF.Sqrt(2), proj[4 + 0], 2);           // row 1: (1, 1)/√2 on channels 0 and 1
        Assert.Equal(1 / MathF.Sqrt(2), proj[4 + 1], 2);
        Assert.Equal(0f, proj[4 + 3], 2);
        for (int r = 0; r < 2; r++)
            Assert.Equal(1.0, Enumerable.Range(0, 4).Sum(c => (double)proj[r * 4 + c] * proj[r * 4 + c]), 5);
        Assert.Equal(0.0, Enumerable.Range(0, 4).Sum(c => (double)proj[c] * proj[4 + c]), 5);
        Assert.Equal(proj, FeatureProjection.Fit(f, 4, 2));        // the same features, the same signs
    }

    [Fact]
    public void AFilterOnFewerChannelsLearnsAndAnswersOnTheProjectedFeatures()
    {
        var anchors = new AnchorConfig { ScoreSize = 7, Stride = 8, Centre = 24f };
        using var dev = TestDevice.Cpu();
        var rng = new Random(3);
        var x = Enumerable.Range(0, 6 * 81).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        using var xt = Tensor.PersistentFromArray(dev, x, 1, 6, 9, 9);
        using var filter = new DiscriminativeFilter(dev, new FilterConfig { Size = 3, Capacity = 5, InitShifts = 0, Channels = 2 }, 6, anchors);
        Assert.Equal(2, filter.FilterChannels);
        filter.Add(xt, 24f, 24f, first: true);
        double before = filter.Learn(1), after = filter.Learn(30);
        Assert.True(after < before, $"the loss did not fall: {before} → {after}");
        // the response is the one-output convolution of the projected features P·x with the filter
        var proj = FeatureProjection.Fit(x, 6, 2);
        var w = filter.FilterWeights();
        var response = filter.Response(xt);
        for (int i = 0; i < 7; i++)
            for (int j = 0; j < 7; j++)
            {
                double r = 0;
                for (int k = 0; k < 2; k++)
                    for (int u = 0; u < 3; u++)
                        for (int v = 0; v < 3; v++)
                        {
                            double px = 0;
                            for (int c = 0; c < 6; c++) px += proj[k * 6 + c] * x[(c * 9 + i + u) * 9 + j + v];
                            r += w[(k * 3 + u) * 3 + v] * px;
                        }
                Assert.Equal(r, response[i * 7 + j], 1e-4);
            }
        Assert.Contains(response, v => Math.Abs(v) > 1e-3);
    }
}
