using Ulast.GradCheck;
using Ulast.Autograd.Modules;
using Ulast.Autograd.Optim;

namespace Ulast.Tests.Kernels;

/// <summary>
/// Every buffer is filled with NaN when rented, then every op runs forward and backward on the ILGPU
/// kernels: a kernel that leaves an output element unwritten leaves a NaN behind. The launch record
/// then proves that every [UlastKernel] method ran under poisoning.
/// </summary>
public class PoisonCoverageTests
{
    [Fact]
    public void EveryKernelWritesEveryOutputElement()
    {
        using var dev = TestDevice.Cpu(hostSimd: false);
        dev.Pool.PoisonOnRent = true;
        foreach (var c in GradCases.All.Concat(ExtraCases()))
        {
            using var problem = c.Build(dev, new Random(3));
            using var scope = new TensorScope();
            foreach (var t in problem.Inputs) { t.RequiresGrad = true; t.ZeroGrad(); }
            var y = problem.Forward();
            AssertFinite(y.ToArray(), c.Op + " forward");
            Ops.SumAll(Ops.Mul(y, y)).Backward();
            foreach (var t in problem.Inputs)
            {
                Assert.NotNull(t.Grad);
                AssertFinite(t.Grad!.ToArray(), c.Op + " gradient of " + (t.Name ?? t.ShapeString));
            }
        }
        // Optimisers and the running-statistics update.
        using (var p = Tensor.PersistentFromArray(dev, new[] { 1f, 2f, 3f }, 3))
        {
            p.RequiresGrad = true;
            using var s = new TensorScope();
            Ops.SumAll(Ops.Mul(p, p)).Backward();
            using var sgd = new Sgd(new[] { p }, 0.1f);
            sgd.Step();
            using var adam = new AdamW(new[] { p });
            adam.Step();
            AssertFinite(p.ToArray(), "optimiser step");
            p.ZeroGrad();
        }
        using (var bn = new BatchNorm2d(dev, 3))
        using (var s = new TensorScope())
        {
            bn.Forward(Tensor.FromArray(dev, TestDevice.Random(new Random(1), 2 * 3 * 4), 2, 3, 2, 2));
            AssertFinite(bn.RunningMean.ToArray(), "running mean");
            AssertFinite(bn.RunningVar.ToArray(), "running var");
        }
        // The tracker's kernels without a gradient: ATSS and mask re-weighting.
        using (var s = new TensorScope())
        {
            var anchors = Tensor.FromArray(dev, new Ulast.Tracker.Anchors.AnchorConfig().Generate(), 3125, 4);
            var r = Ulast.Tracker.Anchors.Atss.Assign(anchors, Tensor.FromArray(dev, new[] { 120f, 130f, 50f, 70f }, 1, 4));
            AssertFinite(r.Labels.ToArray(), "ATSS labels");
            AssertFinite(r.Targets.ToArray(), "ATSS targets");
            var m = Ulast.Tracker.Model.RegionMask.OfBoxes(Tensor.FromArray(dev, new[] { 120f, 130f, 50f, 70f, 60f, 60f, 20f, 20f }, 2, 4), new Ulast.Tracker.Model.RegionMaskConfig());
            AssertFinite(Ulast.Tracker.Losses.MaskReweighting.Weights(m, m, new Ulast.Tracker.Losses.ReweightConfig()).ToArray(), "weights");
        }
        var launched = dev.Kernels.Launches.Keys.ToHashSet();
        var missing = PtxCompileTests.AllKernels().Where(m => !launched.Contains(m)).Select(m => m.DeclaringType!.Name + "." + m.Name).ToList();
        Assert.True(missing.Count == 0, "kernels never run under poisoning: " + string.Join(", ", missing));
    }

    /// <summary>Cases that exist only to reach kernels the grad-check registry does not (none today).</summary>
    private static IEnumerable<GradCase> ExtraCases() => Array.Empty<GradCase>();

    private static void AssertFinite(float[] v, string what)
    {
        for (int i = 0; i < v.Length; i++) Assert.True(float.IsFinite(v[i]), $"{what}: element {i} is {v[i]} (unwritten or overflow)");
    }
}
