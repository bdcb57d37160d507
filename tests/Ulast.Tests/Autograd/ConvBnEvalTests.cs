namespace Ulast.Tests.Autograd;

/// <summary>
/// Fused inference of conv → BatchNorm (running statistics) → ReLU gives the separate ops' numbers to the bit, on the
/// host path (the epilogue) and on the kernel path (the ops composed), so that tracking with it changes no evaluation.
/// </summary>
public class ConvBnEvalTests
{
    private static float[] Separate(Device dev, float[] x, int[] xs, float[] w, int[] ws, (int s, int p, int d, int g) c, float[][] bn, bool relu)
    {
        using var scope = new TensorScope();
        var y = Ops.Conv2d(Tensor.FromArray(dev, x, xs), Tensor.FromArray(dev, w, ws), c.s, c.p, c.d, c.g);
        y = Ops.BatchNorm(y, T(dev, bn[0]), T(dev, bn[1]), T(dev, bn[2]), T(dev, bn[3]), false, eps: 1e-5f);
        return (relu ? Ops.Relu(y) : y).ToArray();
    }

    private static float[] Fused(Device dev, float[] x, int[] xs, float[] w, int[] ws, (int s, int p, int d, int g) c, float[][] bn, bool relu)
    {
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        return Ops.ConvBnEval(Tensor.FromArray(dev, x, xs), Tensor.FromArray(dev, w, ws), c.s, c.p, c.d, c.g,
            T(dev, bn[0]), T(dev, bn[1]), T(dev, bn[2]), T(dev, bn[3]), 1e-5f, relu).ToArray();
    }

    private static Tensor T(Device dev, float[] v) => Tensor.FromArray(dev, v, v.Length);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FusedInferenceEqualsTheSeparateOpsBitForBit(bool hostSimd)
    {
        var rng = new Random(11);
        using var dev = TestDevice.Cpu(hostSimd);
        // 3×3 same, stride 2, dilated, 1×1, grouped; batch 2 so that the epilogue is applied per image
        var configs = new (int cin, int cout, int k, (int, int, int, int) c)[] { (5, 16, 3, (1, 1, 1, 1)), (4, 8, 3, (2, 0, 1, 1)), (6, 12, 3, (1, 2, 2, 1)),
            (8, 24, 1, (1, 0, 1, 1)), (6, 8, 3, (1, 1, 1, 2)) };
        foreach (var (cin, cout, k, c) in configs)
            foreach (bool relu in new[] { true, false })
            {
                int[] xs = { 2, cin, 11, 13 }, ws = { cout, cin / c.Item4, k, k };
                var x = TestDevice.Random(rng, Tensor.SizeOf(xs));
                var w = TestDevice.Random(rng, Tensor.SizeOf(ws));
                var bn = new[] { TestDevice.Random(rng, cout, 0.5, 2), TestDevice.Random(rng, cout), TestDevice.Random(rng, cout), TestDevice.Random(rng, cout, 0.2, 3) };
                var expected = Separate(dev, x, xs, w, ws, c, bn, relu);
                var actual = Fused(dev, x, xs, w, ws, c, bn, relu);
                Assert.True(expected.SequenceEqual(actual), $"{cin}→{cout} k{k} {c} relu={relu}");
                Assert.Contains(actual, v => v < 0f == !relu && v != 0f);   // the shift and (without ReLU) negatives are there
                if (relu) Assert.Contains(actual, v => v == 0f);
            }
    }

    [Fact]
    public void ConvBnModuleTakesTheFusedPathOnlyForInference()
    {
        var rng = new Random(12);
        using var dev = TestDevice.Cpu();
        using var scope = new TensorScope();
        var m = new Ulast.Tracker.Model.ConvBn(dev, 4, 8, 3, new Random(3), padding: 1);
        m.Bn.RunningMean.CopyFrom(TestDevice.Random(rng, 8));
        m.Bn.RunningVar.CopyFrom(TestDevice.Random(rng, 8, 0.2, 3));
        m.Eval();
        var x = Tensor.FromArray(dev, TestDevice.Random(rng, 2 * 4 * 9 * 9), 2, 4, 9, 9);
        Tensor fused, separate;
        using (GradMode.NoGrad()) fused = m.Forward(x);
        dev.Tuning = dev.Tuning with { FusedConvBnInference = false };
        using (GradMode.NoGrad()) separate = m.Forward(x);
        dev.Tuning = dev.Tuning with { FusedConvBnInference = true };
        Assert.Equal("conv_bn", fused.Op);
        Assert.NotEqual("conv_bn", separate.Op);
        Assert.True(fused.ToArray().SequenceEqual(separate.ToArray()));
        Assert.NotEqual("conv_bn", m.Forward(x).Op);   // with gradients on, the separate ops (they record the tape)
    }

    [Fact]
    public void FusedInferenceRefusesToRunWithGradientsOn()
    {
        using var dev = TestDevice.Cpu();
        using var scope = new TensorScope();
        var x = Tensor.FromArray(dev, new float[2 * 9], 1, 2, 3, 3);
        var w = Tensor.FromArray(dev, new float[2 * 2], 2, 2, 1, 1);
        var v = Tensor.FromArray(dev, new float[] { 1, 1 }, 2);
        Assert.Throws<InvalidOperationException>(() => Ops.ConvBnEval(x, w, 1, 0, 1, 1, v, v, v, v, 1e-5f, true));
    }
}
