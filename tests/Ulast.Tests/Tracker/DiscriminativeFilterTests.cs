using Ulast.Tracker.Anchors;
using Ulast.Tracker.Data;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

public class DiscriminativeFilterTests
{
    // A small geometry: features 9×9, a 3×3 filter, a 7×7 score map centred at pixel 24 with stride 8.
    private static readonly AnchorConfig Small = new() { ScoreSize = 7, Stride = 8, Centre = 24f };
    private const int C = 3, Side = 9, K = 3, N = 7;

    private static float[] Random(int seed, int count, float scale = 1f)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1) * scale).ToArray();
    }

    /// <summary>conv(X, w) with one output channel, in double: r[i,j] = Σ_c,u,v w[c,u,v]·x[c,i+u,j+v].</summary>
    private static double[] Response(float[] x, double[] w)
    {
        var r = new double[N * N];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++)
                for (int c = 0; c < C; c++)
                    for (int u = 0; u < K; u++)
                        for (int v = 0; v < K; v++)
                            r[i * N + j] += w[(c * K + u) * K + v] * x[(c * Side + i + u) * Side + j + v];
        return r;
    }

    [Fact]
    public void TheResponseIsTheOneOutputConvolution()
    {
        using var dev = TestDevice.Cpu();
        using var filter = new DiscriminativeFilter(dev, new FilterConfig { Size = K, Capacity = 5, InitShifts = 0 }, C, Small);
        var x = Random(1, C * Side * Side);
        using var xt = Tensor.PersistentFromArray(dev, x, 1, C, Side, Side);
        filter.Add(xt, 24f, 24f, first: true);
        filter.Learn(3);
        var w = filter.FilterWeights().Select(v => (double)v).ToArray();
        Assert.Contains(w, v => v != 0);
        var expected = Response(x, w);
        var actual = filter.Response(xt);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-5);
    }

    [Theory]
    [InlineData(false, 400)]
    [InlineData(true, 40)]   // conjugate directions: a tenth of the steps
    public void EachSolverReachesTheRidgeSolutionInDouble(bool conjugate, int steps)
    {
        // Two samples of different weight and label position; after enough steps w must equal the closed form
        // w* = (Σ α_j/P X_jᵀX_j + λI)⁻¹ Σ α_j/P X_jᵀy_j, solved here in double.
        using var dev = TestDevice.Cpu();
        var cfg = new FilterConfig { Size = K, Capacity = 5, InitShifts = 0, Lambda = 0.05f, Sigma = 0.8f, SampleDecay = 0.3f, ConjugateGradient = conjugate };
        using var filter = new DiscriminativeFilter(dev, cfg, C, Small);
        var xs = new[] { Random(2, C * Side * Side), Random(3, C * Side * Side) };
        var centres = new[] { (24f, 24f), (32f, 16f) };
        var tensors = xs.Select(x => Tensor.PersistentFromArray(dev, x, 1, C, Side, Side)).ToArray();
        filter.Add(tensors[0], centres[0].Item1, centres[0].Item2, first: true);
        filter.Add(tensors[1], centres[1].Item1, centres[1].Item2, first: false);
        var alpha = filter.Weights();
        Assert.Equal(new[] { 0.5, 0.5 }, alpha);   // the first frame's half, and the one later sample's
        int d = C * K * K, p = N * N;
        var a = new double[d, d];
        var b = new double[d];
        for (int j = 0; j < 2; j++)
        {
            var y = filter.Label(centres[j].Item1, centres[j].Item2);
            for (int q = 0; q < d; q++)
            {
                var eq = new double[d];
                eq[q] = 1;
                var col = Response(xs[j], eq);   // the design matrix's column q
                for (int cell = 0; cell < p; cell++) b[q] += alpha[j] / p * col[cell] * y[cell];
                for (int q2 = 0; q2 < d; q2++)
                {
                    var e2 = new double[d];
                    e2[q2] = 1;
                    var col2 = Response(xs[j], e2);
                    for (int cell = 0; cell < p; cell++) a[q, q2] += alpha[j] / p * col[cell] * col2[cell];
                }
            }
        }
        for (int q = 0; q < d; q++) a[q, q] += cfg.Lambda;
        var wStar = Solve(a, b);
        double loss0 = filter.Learn(1), loss = filter.Learn(steps);
        Assert.True(loss < loss0, $"the loss did not fall: {loss0} → {loss}");
        var w = filter.FilterWeights();
        double norm = Math.Sqrt(wStar.Sum(v => v * v)), err = Math.Sqrt(w.Select((v, i) => (v - wStar[i]) * (v - wStar[i])).Sum());
        Assert.True(err < 0.02 * norm, $"‖w − w*‖ = {err:G3} against ‖w*‖ = {norm:G3}");
        foreach (var t in tensors) t.Dispose();
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        int n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (int c = 0; c < n; c++)
        {
            int pivot = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(m[r, c]));
            for (int k = 0; k < n; k++) (m[c, k], m[pivot, k]) = (m[pivot, k], m[c, k]);
            (x[c], x[pivot]) = (x[pivot], x[c]);
            for (int r = c + 1; r < n; r++)
            {
                double f = m[r, c] / m[c, c];
                for (int k = c; k < n; k++) m[r, k] -= f * m[c, k];
                x[r] -= f * x[c];
            }
        }
        for (int r = n - 1; r >= 0; r--)
        {
            for (int k = r + 1; k < n; k++) x[r] -= m[r, k] * x[k];
            x[r] /= m[r, r];
        }
        return x;
    }

    [Fact]
    public void LabelsPeakOnTheTargetAndWeightsFavourTheNewest()
    {
        using var dev = TestDevice.Cpu();
        var cfg = new FilterConfig { Size = K, Capacity = 4, InitShifts = 0, SampleDecay = 0.5f };
        using var filter = new DiscriminativeFilter(dev, cfg, C, Small);
        var y = filter.Label(32f, 16f);   // one cell right of the centre, one up
        Assert.Equal(1f, y[2 * N + 4], 5);
        Assert.Equal(2 * N + 4, Array.IndexOf(y, y.Max()));
        using var x = Tensor.PersistentFromArray(dev, Random(4, C * Side * Side), 1, C, Side, Side);
        filter.Add(x, 24f, 24f, first: true);
        for (int i = 0; i < 4; i++) filter.Add(x, 24f, 24f, first: false);
        Assert.Equal(4, filter.SampleCount);   // the oldest later sample left; the first frame stays
        var a = filter.Weights();
        Assert.Equal(1.0, a.Sum(), 12);
        Assert.Equal(0.5, a[0], 12);
        Assert.True(a[1] < a[2] && a[2] < a[3], "newer samples weigh more");
        Assert.Equal(2.0, a[3] / a[2], 12);    // (1 − 0.5)^-1
        Assert.Throws<ArgumentException>(() => new DiscriminativeFilter(dev, new FilterConfig { Size = 4 }, C, Small));
        Assert.Throws<ArgumentException>(() => new DiscriminativeFilter(dev, new FilterConfig { Capacity = 3 }, C, Small));
    }

    [SkippableFact]
    public void WithWeightZeroTheTrackerGivesExactlyTheSiameseBoxes()
    {
        var path = Path.Combine(SequenceTests.Annotated, "Girl");
        Skip.IfNot(Directory.Exists(path), "shared data missing");
        var seq = SequenceLoader.Load(path);
        var frames = seq.ReadFrames().Take(20).ToList();
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Channels = 16, Width = 8 });
        using var plain = new SiamRpnTracker(model);
        // Every frame a sample: the filter learns all along, is mixed in with weight 0 and leaves the centre to the regression.
        using var mixed = new SiamRpnTracker(model, new TrackerSettings { Filter = new FilterConfig { Weight = 0f, PositionWeight = 0f, MinScore = 0f, UpdateInterval = 1, Capacity = 10 } });
        using var alone = new SiamRpnTracker(model, new TrackerSettings { Filter = new FilterConfig { Weight = 1f, MinScore = 0f, UpdateInterval = 1, Capacity = 10 } });
        plain.Init(frames[0], seq.GroundTruth[0]);
        mixed.Init(frames[0], seq.GroundTruth[0]);
        alone.Init(frames[0], seq.GroundTruth[0]);
        int differ = 0;
        for (int i = 1; i < frames.Count; i++)
        {
            var b = plain.Track(frames[i]);
            Assert.Equal(b, mixed.Track(frames[i]));
            if (!alone.Track(frames[i]).Equals(b)) differ++;
        }
        Assert.True(differ > 0, "the filter's response alone changed no box");
        foreach (var f in frames) f.Dispose();
    }
}
