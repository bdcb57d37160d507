using Ulast.GradCheck;

namespace Ulast.Tests.Kernels;

/// <summary>Finite differences for every registered op, on the SIMD host path and on the ILGPU kernels.</summary>
public class GradCheckTests
{
    public static IEnumerable<object[]> Cases() => GradCases.All.SelectMany(c => new[] { new object[] { c.Op, true }, new object[] { c.Op, false } });

    [Theory]
    [MemberData(nameof(Cases))]
    public void GradientMatchesFiniteDifferences(string op, bool hostSimd)
    {
        using var dev = TestDevice.Cpu(hostSimd);
        var c = GradCases.All.Single(x => x.Op == op);
        var r = GradChecker.Run(c, dev, seed: 7);
        Assert.True(r.Passed, $"{op}: max abs {r.MaxAbsError:E2}, rel {r.MaxRelError:E2}, checked {r.Checked}, kinks {r.Skipped} {r.Error}");
        Assert.True(r.Checked > 0);
    }

    [Fact]
    public void ToolExitsZeroWhenEveryOpPasses()
    {
        var sw = new StringWriter();
        Assert.Equal(0, Program.Run(new[] { "--device", "cpu", "--op", "conv2d" }, sw));
        Assert.Contains("1 passed, 0 failed", sw.ToString());
    }

    [Fact]
    public void ToolRejectsUnknownOp() => Assert.Throws<ArgumentException>(() => Program.Run(new[] { "--op", "nope" }, new StringWriter()));

    [Fact]
    public void CheckerCatchesAWrongGradient()
    {
        // A deliberately wrong backward (gradient ×2) must fail the check: the checker can fail.
        using var dev = TestDevice.Cpu();
        var bad = new GradCase("bad", "[3,4]", (d, r) =>
        {
            var t = new CaseTensors(d, r);
            var x = t.Uniform(-1, 1, 3, 4);
            return t.Problem(() => Ops.Add(x, Ops.Affine(x, 1f, 0f)).Reshape(12), x);
        });
        Assert.True(GradChecker.Run(bad, dev, 1).Passed);
        var wrong = new GradCase("wrong", "[3,4]", (d, r) =>
        {
            var t = new CaseTensors(d, r);
            var x = t.Uniform(-1, 1, 3, 4);
            // Forward computes x but the graph says 2x: gradient of the graph is wrong for the values.
            return t.Problem(() => { var y = Ops.MulScalar(x, 2f); using (GradMode.NoGrad()) y.CopyFrom(x); return y; }, x);
        });
        Assert.False(GradChecker.Run(wrong, dev, 1).Passed);
    }
}
