using Ulast.Kernels.Reference;
using Ulast.Autograd.Modules;

namespace Ulast.Tests.Kernels;

/// <summary>Forward (and, for GEMM-class ops, backward) against the double-precision references, on both paths.</summary>
public class ReferenceTests
{
    private static readonly Random Rng = new(11);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void UnaryOps(bool hostSimd)
    {
        using var dev = TestDevice.Cpu(hostSimd);
        foreach (var op in Enum.GetValues<UnaryOp>())
        {
            var x = TestDevice.Random(Rng, 3 * 5 * 7, op == UnaryOp.Log ? 0.2 : -3, 3);
            using var s = new TensorScope();
            var y = Ops.Unary(Tensor.FromArray(dev, x, 3, 5, 7), op);
            TestDevice.AssertClose(x.Select(v => ElementwiseReference.Unary(op, v)).ToArray(), y.ToArray(), 1e-5, 1e-5, op.ToString());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BinaryBroadcastOps(bool hostSimd)
    {
        using var dev = TestDevice.Cpu(hostSimd);
        int[][] shapesA = { new[] { 2, 3, 5, 7 }, new[] { 3, 1, 5, 1 }, new[] { 5, 7 }, new[] { 2, 3, 5, 7 }, new[] { 2, 3, 5, 7 }, new[] { 2, 3, 5, 7 } };
        int[][] shapesB = { new[] { 1, 3, 1, 1 }, new[] { 1, 4, 1, 7 }, new[] { 2, 3, 5, 7 }, new[] { 2, 3, 5, 7 }, new[] { 2, 1, 5, 7 }, new[] { 3, 1, 1 } };
        foreach (var op in Enum.GetValues<BinaryOp>())
            for (int k = 0; k < shapesA.Length; k++)
            {
                var a = TestDevice.Random(Rng, Tensor.SizeOf(shapesA[k]));
                var b = TestDevice.Random(Rng, Tensor.SizeOf(shapesB[k]), 0.5, 2);
                using var s = new TensorScope();
                var y = Ops.Binary(Tensor.FromArray(dev, a, shapesA[k]), Tensor.FromArray(dev, b, shapesB[k]), op);
                var expected = ElementwiseReference.Binary(op, y.Dims, Dims4.From(shapesA[k]), a, Dims4.From(shapesB[k]), b);
                TestDevice.AssertClose(expected, y.ToArray(), 1e-6, 1e-5, $"{op} {k}");
            }
    }

    [Fact]
    public void SumAndMeanOverAxes()
    {
        using var dev = TestDevice.Cpu();
        var x = TestDevice.Random(Rng, 2 * 3 * 5 * 7);
        using var s = new TensorScope();
        var t = Tensor.FromArray(dev, x, 2, 3, 5, 7);
        var sum = Ops.Sum(t, new[] { 1, 3 });
        Assert.Equal(new[] { 2, 5 }, sum.Shape);
        TestDevice.AssertClose(ElementwiseReference.ReduceToShape(t.Dims, new Dims4(2, 1, 5, 1), x, 1), sum.ToArray(), 1e-5, 1e-5);
        var mean = Ops.Mean(t, new[] { 0, -1 }, keepDim: true);
        Assert.Equal(new[] { 1, 3, 5, 1 }, mean.Shape);
        TestDevice.AssertClose(ElementwiseReference.ReduceToShape(t.Dims, new Dims4(1, 3, 5, 1), x, 1.0 / 14), mean.ToArray(), 1e-6, 1e-5);
        Assert.Equal(x.Select(v => (double)v).Sum(), Ops.SumAll(t).Item(), 3);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatMulAllLayouts(bool hostSimd)
    {
        using var dev = TestDevice.Cpu(hostSimd);
        foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            foreach (var (batch, m, n, k) in new[] { (1, 5, 7, 3), (3, 37, 45, 67), (2, 9, 33, 300) })
            {
                var a = TestDevice.Random(Rng, batch * m * k);
                var b = TestDevice.Random(Rng, batch * k * n);
                using var s = new TensorScope();
                var ta3 = Tensor.FromArray(dev, a, batch, ta ? k : m, ta ? m : k);
                var tb3 = Tensor.FromArray(dev, b, batch, tb ? n : k, tb ? k : n);
                var y = Ops.MatMul(ta3, tb3, ta, tb);
                var p = new MatMulParams(batch, m, n, k, ta, tb, m * k, k * n);
                TestDevice.AssertClose(MatMulReference.Forward(p, a, b), y.ToArray(), 1e-4, 1e-4, $"{ta},{tb},{batch}x{m}x{n}x{k}");
            }
    }

    [Fact]
    public void SoftmaxRows()
    {
        using var dev = TestDevice.Cpu();
        var x = TestDevice.Random(Rng, 4 * 13, -5, 5);
        using var s = new TensorScope();
        TestDevice.AssertClose(ElementwiseReference.Softmax(x, 13), Ops.Softmax(Tensor.FromArray(dev, x, 4, 13)).ToArray(), 1e-6, 1e-5);
    }

    public static IEnumerable<object[]> ConvConfigs()
    {
        // n, cin, h, w, cout, k, stride, pad, dil, groups
        int[][] configs =
        {
            new[] { 2, 3, 13, 11, 8, 3, 1, 1, 1, 1 },
            new[] { 1, 3, 31, 29, 16, 7, 2, 3, 1, 1 },
            new[] { 2, 8, 9, 9, 6, 3, 1, 2, 2, 2 },
            new[] { 2, 6, 7, 8, 6, 3, 1, 1, 1, 6 },
            new[] { 3, 40, 5, 7, 33, 1, 1, 0, 1, 1 },
            new[] { 1, 19, 15, 15, 37, 3, 2, 0, 1, 1 },
            new[] { 1, 2, 4, 3, 3, 3, 3, 3, 1, 1 },    // padding wider than the image: whole rows of taps outside
            new[] { 2, 4, 10, 9, 5, 3, 2, 2, 2, 1 },   // stride and dilation together
            new[] { 2, 3, 7, 77, 4, 3, 2, 1, 1, 1 },   // stride 2 on rows wide enough for the vector gather/scatter-add (39 outputs)
            new[] { 2, 5, 9, 8, 7, 3, 1, 0, 1, 1 },    // stride 1, no padding: the flipped input gradient pads by 2
            new[] { 1, 2, 4, 5, 3, 3, 1, 3, 1, 1 },    // stride 1, padding above (K − 1)·dil: the input gradient through col2im
        };
        foreach (var c in configs) { yield return new object[] { c, true }; yield return new object[] { c, false }; }
    }

    [Theory]
    [MemberData(nameof(ConvConfigs))]
    public void ConvForwardAndBackward(int[] c, bool hostSimd)
    {
        using var dev = TestDevice.Cpu(hostSimd);
        var p = new ConvParams(c[0], c[1], c[2], c[3], c[4], c[5], c[5], c[6], c[6], c[7], c[7], c[8], c[8], c[9]);
        var x = TestDevice.Random(Rng, p.InputSize);
        var w = TestDevice.Random(Rng, p.WeightSize, -0.5, 0.5);
        var g = TestDevice.Random(Rng, p.OutputSize);
        using var s = new TensorScope();
        var tx = Tensor.FromArray(dev, x, p.N, p.Cin, p.H, p.W);
        var tw = Tensor.FromArray(dev, w, p.Cout, p.CinG, p.KH, p.KW);
        tx.RequiresGrad = tw.RequiresGrad = true;
        tx.RetainGrad = tw.RetainGrad = true;
        var y = Ops.Conv2d(tx, tw, c[6], c[7], c[8], c[9]);
        TestDevice.AssertClose(ConvReference.Forward(p, x, w), y.ToArray(), 1e-4, 1e-4, "forward");
        y.Backward(Tensor.FromArray(dev, g, y.Shape));
        var (dx, dw) = ConvReference.Backward(p, x, w, g);
        TestDevice.AssertClose(dx, tx.Grad!.ToArray(), 1e-4, 1e-4, "dx");
        TestDevice.AssertClose(dw, tw.Grad!.ToArray(), 1e-3, 1e-4, "dw");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DepthwiseXcorrForwardAndBackward(bool hostSimd)
    {
        using var dev = TestDevice.Cpu(hostSimd);
        foreach (var (b, c, hs, ws, hk, wk) in new[] { (2, 3, 9, 11, 3, 4), (2, 5, 31, 31, 7, 7), (1, 2, 20, 45, 5, 9) })
        {
            var p = new XcorrParams(b, c, hs, ws, hk, wk);
            var sv = TestDevice.Random(Rng, p.SearchSize);
            var kv = TestDevice.Random(Rng, p.KernelSize);
            var g = TestDevice.Random(Rng, p.OutputSize);
            using var s = new TensorScope();
            var ts = Tensor.FromArray(dev, sv, b, c, hs, ws);
            var tk = Tensor.FromArray(dev, kv, b, c, hk, wk);
            ts.RequiresGrad = tk.RequiresGrad = true;
            var y = Ops.DepthwiseXcorr(ts, tk);
            TestDevice.AssertClose(XcorrReference.Forward(p, sv, kv), y.ToArray(), 1e-4, 1e-4, "forward");
            y.Backward(Tensor.FromArray(dev, g, y.Shape));
            var (ds, dk) = XcorrReference.Backward(p, sv, kv, g);
            TestDevice.AssertClose(ds, ts.Grad!.ToArray(), 1e-4, 1e-4, "ds");
            TestDevice.AssertClose(dk, tk.Grad!.ToArray(), 1e-3, 1e-4, "dk");
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BatchNormTrainingMatchesReference(bool hostPath)
    {
        using var dev = TestDevice.Cpu(hostPath);
        var p = new BatchNormParams(3, 4, 15, 1e-5f);
        var x = TestDevice.Random(Rng, p.Size, -2, 3);
        var gamma = TestDevice.Random(Rng, 4, 0.5, 1.5);
        var beta = TestDevice.Random(Rng, 4);
        using var s = new TensorScope();
        var y = Ops.BatchNorm(Tensor.FromArray(dev, x, 3, 4, 3, 5), Tensor.FromArray(dev, gamma, 4), Tensor.FromArray(dev, beta, 4), null, null, true);
        TestDevice.AssertClose(ElementwiseReference.BatchNormTrain(p, x, gamma, beta), y.ToArray(), 1e-5, 1e-4);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AffineMatchesReference(bool hostPath)
    {
        using var dev = TestDevice.Cpu(hostPath);
        var x = TestDevice.Random(Rng, 3 * 11);
        using var s = new TensorScope();
        TestDevice.AssertClose(x.Select(v => -1.5 * v + 0.25).ToArray(), Ops.Affine(Tensor.FromArray(dev, x, 3, 11), -1.5f, 0.25f).ToArray(), 1e-6, 1e-6);
    }

    [Fact]
    public void BatchNormRunningStatisticsFollowPyTorch()
    {
        using var dev = TestDevice.Cpu();
        using var bn = new BatchNorm2d(dev, 2, momentum: 0.1f);
        var x = new float[] { 1, 2, 3, 4, 10, 20, 30, 40 }; // N=1, C=2, 2x2
        using var s = new TensorScope();
        bn.Forward(Tensor.FromArray(dev, x, 1, 2, 2, 2));
        // mean 2.5 / 25, unbiased var 1.6667 / 166.67
        TestDevice.AssertClose(new[] { 0.25, 2.5 }, bn.RunningMean.ToArray(), 1e-5, 1e-5);
        TestDevice.AssertClose(new[] { 0.9 + 0.1 * 5.0 / 3, 0.9 + 0.1 * 500.0 / 3 }, bn.RunningVar.ToArray(), 1e-4, 1e-5);
        bn.Eval();
        var y = bn.Forward(Tensor.FromArray(dev, x, 1, 2, 2, 2)).ToArray();
        Assert.Equal((1 - 0.25) / Math.Sqrt(0.9 + 0.1 * 5.0 / 3 + 1e-5), y[0], 4);
    }

    [Fact]
    public void MaxPoolMatchesReference()
    {
        using var dev = TestDevice.Cpu();
        var p = new PoolParams(2, 3, 9, 11, 3, 2, 1);
        var x = TestDevice.Random(Rng, p.InputSize);
        using var s = new TensorScope();
        TestDevice.AssertClose(ElementwiseReference.MaxPool(p, x), Ops.MaxPool2d(Tensor.FromArray(dev, x, 2, 3, 9, 11), 3, 2, 1).ToArray(), 0, 0);
    }

    [Fact]
    public void CropMatchesReferenceIncludingPaddingAndIdentity()
    {
        using var dev = TestDevice.Cpu();
        var p = new CropParams(2, 3, 12, 10, 7, 9);
        var x = TestDevice.Random(Rng, p.InputSize);
        var boxes = new[] { -3.5f, 2.25f, 8.75f, 15.5f, 1f, 1f, 9f, 11f };
        var pad = new[] { 0.5f, -0.25f, 0.125f };
        using var s = new TensorScope();
        var y = Ops.CropResize(Tensor.FromArray(dev, x, 2, 3, 12, 10), Tensor.FromArray(dev, boxes, 2, 4), Tensor.FromArray(dev, pad, 3), 7, 9);
        TestDevice.AssertClose(ElementwiseReference.Crop(p, x, boxes, pad), y.ToArray(), 1e-5, 1e-5);
        // A box equal to the whole image at the same size reproduces the image.
        var id = Ops.CropResize(Tensor.FromArray(dev, x, 2, 3, 12, 10), Tensor.FromArray(dev, new[] { 0f, 0f, 10f, 12f, 0f, 0f, 10f, 12f }, 2, 4), Tensor.FromArray(dev, pad, 3), 12, 10);
        TestDevice.AssertClose(x.Select(v => (double)v).ToArray(), id.ToArray(), 1e-6, 0);
    }

    [Fact]
    public void ChannelConcatAndSlice()
    {
        using var dev = TestDevice.Cpu();
        var a = TestDevice.Random(Rng, 2 * 3 * 4);
        var b = TestDevice.Random(Rng, 2 * 2 * 4);
        using var s = new TensorScope();
        var cat = Ops.Concat(Tensor.FromArray(dev, a, 2, 3, 2, 2), Tensor.FromArray(dev, b, 2, 2, 2, 2)).ToArray();
        Assert.Equal(a[4 * 3], cat[4 * 5]);           // n=1, c=0 comes after 5 channels of n=0
        Assert.Equal(b[0], cat[4 * 3]);               // n=0, c=3 is b's first channel
        var sl = Ops.SliceChannels(Tensor.FromArray(dev, cat, 2, 5, 2, 2), 3, 2).ToArray();
        Assert.Equal(b, sl);
    }
}
