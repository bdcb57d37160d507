using Ulast.Tracker.Evaluation;

namespace Ulast.Tests.Tracker;

public class BootstrapTests
{
    [Fact]
    public void TheIntervalHoldsTheMeanAndWidensWithTheSpread()
    {
        var rng = new Random(4);
        var tight = Enumerable.Range(0, 20).Select(_ => 0.5 + 0.01 * rng.NextDouble()).ToList();
        var wide = Enumerable.Range(0, 20).Select(_ => rng.NextDouble()).ToList();
        var (tl, th) = Bootstrap.MeanInterval(tight);
        var (wl, wh) = Bootstrap.MeanInterval(wide);
        Assert.InRange(tight.Average(), tl, th);
        Assert.InRange(wide.Average(), wl, wh);
        Assert.True(wh - wl > 10 * (th - tl));
        // A uniform [0,1] mean of 20 has s.e. 0.065: a 90% interval is about ±0.107 wide.
        Assert.InRange(wh - wl, 0.15, 0.28);
        Assert.Equal((wl, wh), Bootstrap.MeanInterval(wide));   // a fixed seed: the report is reproducible
        Assert.Equal((0.3, 0.3), Bootstrap.MeanInterval(new[] { 0.3, 0.3, 0.3 }));
    }

    [Fact]
    public void PairedDifferencesCancelWhatTheSequencesShare()
    {
        // Two trackers whose AUC varies a lot by sequence but one is always 0.05 ahead: the paired interval is tight.
        var rng = new Random(2);
        var names = Enumerable.Range(0, 12).Select(i => "s" + i).ToList();
        var baseAuc = names.ToDictionary(n => n, _ => rng.NextDouble());
        SequenceResult Result(string n, double auc) => new(n, 1, auc, 0, 0, 0, 1, [], [], [], []);
        var a = names.Select(n => Result(n, baseAuc[n] + 0.05)).ToList();
        var b = names.AsEnumerable().Reverse().Select(n => Result(n, baseAuc[n])).ToList();
        var (mean, lo, hi) = Bootstrap.PairedDifference(a, b, r => r.Auc);
        Assert.Equal(0.05, mean, 9);
        Assert.Equal(0.05, lo, 9);
        Assert.Equal(0.05, hi, 9);
    }
}
