using Ulast.Autograd.Optim;

namespace Ulast.Tests.Kernels;

/// <summary>
/// The host paths that stand for a kernel by repeating its arithmetic (broadcast binary ops and their gradients,
/// the crop) give the kernel's results to the bit, so that switching paths changes no evaluation.
/// </summary>
public class HostPathParityTests
{
    private static (float[] y, float[] da, float[] db) RunBinary(bool hostSimd, BinaryOp op, int[] sa, int[] sb, float[] a, float[] b, float[] g)
    {
        using var dev = TestDevice.Cpu(hostSimd);
        using var s = new TensorScope();
        var ta = Tensor.FromArray(dev, a, sa);
        var tb = Tensor.FromArray(dev, b, sb);
        ta.RequiresGrad = tb.RequiresGrad = true;
        ta.RetainGrad = tb.RetainGrad = true;
        var y = Ops.Binary(ta, tb, op);
        y.Backward(Tensor.FromArray(dev, g, y.Shape));
        return (y.ToArray(), ta.Grad!.ToArray(), tb.Grad!.ToArray());
    }

    [Fact]
    public void BroadcastBinaryOpsAndGradientsMatchTheKernelsBitForBit()
    {
        var rng = new Random(5);
        // the cycle's shapes in miniature: a row-scalar ([B,K,1] against [B,K,H]), a mask plane, per channel,
        // both operands broadcast, and ranks that differ
        // (the last two: planes and rows long enough for the vector loops of the product's gradient)
        // (then the discriminative filter's whole-sample broadcasts: a scalar per sample, one sample repeated, equal shapes)
        int[][] shapesA = { new[] { 2, 9, 4 }, new[] { 2, 3, 5, 7 }, new[] { 2, 3, 5, 7 }, new[] { 3, 1, 5, 1 }, new[] { 5, 7 }, new[] { 2, 9, 1 }, new[] { 2, 3, 9, 20 }, new[] { 3, 7, 37 },
            new[] { 4, 3, 5, 7 }, new[] { 4, 3, 5, 7 }, new[] { 4, 3, 5, 7 } };
        int[][] shapesB = { new[] { 2, 9, 1 }, new[] { 2, 1, 5, 7 }, new[] { 1, 3, 1, 1 }, new[] { 1, 4, 1, 7 }, new[] { 2, 3, 5, 7 }, new[] { 2, 9, 4 }, new[] { 2, 1, 9, 20 }, new[] { 3, 7, 1 },
            new[] { 4, 1, 1, 1 }, new[] { 1, 3, 5, 7 }, new[] { 4, 3, 5, 7 } };
        foreach (var op in Enum.GetValues<BinaryOp>())
            for (int k = 0; k < shapesA.Length; k++)
            {
                var a = TestDevice.Random(rng, Tensor.SizeOf(shapesA[k]));
                var b = TestDevice.Random(rng, Tensor.SizeOf(shapesB[k]), 0.5, 2);
                var g = TestDevice.Random(rng, Tensor.SizeOf(Ops.BroadcastShape(shapesA[k], shapesB[k])));
                var host = RunBinary(true, op, shapesA[k], shapesB[k], a, b, g);
                var kernel = RunBinary(false, op, shapesA[k], shapesB[k], a, b, g);
                TestDevice.AssertSamePaths(host.y, kernel.y, $"{op} {k}: forward");
                TestDevice.AssertSamePaths(host.da, kernel.da, $"{op} {k}: gradient of a");
                TestDevice.AssertSamePaths(host.db, kernel.db, $"{op} {k}: gradient of b");
                Assert.Contains(host.db, v => v != 0f);
            }
    }

    [Fact]
    public void ReductionsAndTheirGradientsMatchTheKernelsBitForBit()
    {
        var rng = new Random(6);
        var x = TestDevice.Random(rng, 3 * 4 * 5 * 6);
        // one axis, two, all of them (the losses' SumAll and MeanAll), with and without the reduced axes kept
        foreach (var (axes, keep, mean) in new[] { (new[] { 1 }, true, false), (new[] { 0 }, false, false), (new[] { 2, 3 }, true, true), (new[] { -1 }, false, true), (new[] { 0, 1, 2, 3 }, false, false), (new[] { 0, 2 }, true, false) })
        {
            (float[] y, float[] dx) Run(bool hostSimd)
            {
                using var dev = TestDevice.Cpu(hostSimd);
                using var s = new TensorScope();
                var t = Tensor.FromArray(dev, x, 3, 4, 5, 6);
                t.RequiresGrad = true;
                t.RetainGrad = true;
                var y = mean ? Ops.Mean(t, axes, keep) : Ops.Sum(t, axes, keep);
                var g = TestDevice.Random(new Random(axes.Length), y.Size);
                y.Backward(Tensor.FromArray(dev, g, y.Shape));
                return (y.ToArray(), t.Grad!.ToArray());
            }
            var host = Run(true);
            var kernel = Run(false);
            string what = $"axes {string.Join(",", axes)} keep={keep} mean={mean}";
            TestDevice.AssertSamePaths(host.y, kernel.y, what + ": forward");
            TestDevice.AssertSamePaths(host.dx, kernel.dx, what + ": gradient");
            Assert.Contains(host.dx, v => v != 0f);
        }
    }

    [Fact]
    public void CellOverlapAndItsGradientMatchTheKernelsBitForBit()
    {
        var rng = new Random(8);
        // boxes inside, across the edge, wider than the row, and of zero width; both axes
        var boxes = new[] { 60f, 70f, 40f, 30f, -5f, 250f, 30f, 12f, 127f, 127f, 400f, 300f, 90f, 10f, 0f, 20f, 200f, 31f, 8.5f, 7.25f, 33f, 44f, 16f, 16f };
        var g = TestDevice.Random(rng, 2 * 3 * 31);
        (float[] y, float[] d) Run(bool hostSimd, CellAxis axis)
        {
            using var dev = TestDevice.Cpu(hostSimd);
            using var s = new TensorScope();
            var tb = Tensor.FromArray(dev, boxes, 2, 3, 4);
            tb.RequiresGrad = true;
            tb.RetainGrad = true;
            var y = Ulast.Tracker.Anchors.BoxOps.CellOverlap(tb, axis);
            y.Backward(Tensor.FromArray(dev, g, y.Shape));
            return (y.ToArray(), tb.Grad!.ToArray());
        }
        foreach (int coord in new[] { 0, 1 })
        {
            var axis = new CellAxis(31, 7.5f, 8f, 8f, coord);
            var host = Run(true, axis);
            var kernel = Run(false, axis);
            TestDevice.AssertSamePaths(host.y, kernel.y, $"axis {coord}: forward");
            TestDevice.AssertSamePaths(host.d, kernel.d, $"axis {coord}: gradient");
            Assert.Contains(host.y, v => v > 0f && v < 1f);
            Assert.Contains(host.d, v => v != 0f);
        }
    }

    [Fact]
    public void SoftmaxAndItsGradientMatchTheKernelsBitForBit()
    {
        var rng = new Random(10);
        foreach (var shape in new[] { new[] { 3, 7 }, new[] { 64, 961 } })   // small (one thread) and split over the cores
        {
            int n = shape[0] * shape[1];
            var x = TestDevice.Random(rng, n, -8, 8);
            var g = TestDevice.Random(rng, n);
            (float[] y, float[] dx) Run(bool hostSimd)
            {
                using var dev = TestDevice.Cpu(hostSimd);
                using var s = new TensorScope();
                var tx = Tensor.FromArray(dev, x, shape);
                tx.RequiresGrad = true;
                tx.RetainGrad = true;
                var y = Ops.Softmax(tx);
                y.Backward(Tensor.FromArray(dev, g, shape));
                return (y.ToArray(), tx.Grad!.ToArray());
            }
            var host = Run(true);
            var kernel = Run(false);
            TestDevice.AssertSamePaths(host.y, kernel.y, $"{shape[0]}×{shape[1]}: forward");
            TestDevice.AssertSamePaths(host.dx, kernel.dx, $"{shape[0]}×{shape[1]}: gradient");
            Assert.InRange(host.y.Take(shape[1]).Sum(), 0.999f, 1.001f);
        }
    }

    [Fact]
    public void DecodeAndItsGradientMatchTheKernelsBitForBit()
    {
        var rng = new Random(12);
        const int a = 3, h = 4, w = 5, batch = 2;
        var anchors = new float[a * h * w * 4];
        for (int k = 0; k < a * h * w; k++) { anchors[k * 4] = k % w * 8f; anchors[k * 4 + 1] = k / w % h * 8f; anchors[k * 4 + 2] = 16f + k % a * 8f; anchors[k * 4 + 3] = 24f - k % a * 4f; }
        var deltas = TestDevice.Random(rng, batch * 4 * a * h * w, -2, 2);
        deltas[2 * a * h * w + 1] = 9f;   // above the log-ratio clamp: no gradient there
        var g = TestDevice.Random(rng, batch * a * h * w * 4);
        (float[] boxes, float[] d) Run(bool hostSimd)
        {
            using var dev = TestDevice.Cpu(hostSimd);
            using var s = new TensorScope();
            var td = Tensor.FromArray(dev, deltas, batch, 4 * a, h, w);
            td.RequiresGrad = true;
            td.RetainGrad = true;
            var boxes = Ulast.Tracker.Anchors.BoxOps.Decode(td, Tensor.FromArray(dev, anchors, a * h * w, 4), a);
            boxes.Backward(Tensor.FromArray(dev, g, boxes.Shape));
            return (boxes.ToArray(), td.Grad!.ToArray());
        }
        var host = Run(true);
        var kernel = Run(false);
        TestDevice.AssertSamePaths(host.boxes, kernel.boxes, "decode");
        TestDevice.AssertSamePaths(host.d, kernel.d, "gradient");
        Assert.Equal(0f, host.d[2 * a * h * w + 1]);
        Assert.Contains(host.d, v => v != 0f);
    }

    [Fact]
    public void ConcatAndSliceMatchTheKernelsBitForBit()
    {
        var rng = new Random(9);
        var a = TestDevice.Random(rng, 2 * 3 * 5 * 4);
        var b = TestDevice.Random(rng, 2 * 2 * 5 * 4);
        var g = TestDevice.Random(rng, 2 * 4 * 5 * 4);
        float[][] Run(bool hostSimd)
        {
            using var dev = TestDevice.Cpu(hostSimd);
            using var s = new TensorScope();
            var ta = Tensor.FromArray(dev, a, 2, 3, 5, 4);
            var tb = Tensor.FromArray(dev, b, 2, 2, 5, 4);
            ta.RequiresGrad = tb.RequiresGrad = true;
            ta.RetainGrad = tb.RetainGrad = true;
            var y = Ops.SliceChannels(Ops.Concat(ta, tb), 1, 4);   // channels 1–4 of 5: across the seam
            y.Backward(Tensor.FromArray(dev, g, y.Shape));
            return new[] { y.ToArray(), ta.Grad!.ToArray(), tb.Grad!.ToArray() };
        }
        var host = Run(true);
        var kernel = Run(false);
        for (int i = 0; i < 3; i++) TestDevice.AssertSamePaths(host[i], kernel[i], $"output {i}");
        Assert.Equal(a[20], host[0][0]);          // sample 0, channel 0 of the slice = a's channel 1
        Assert.All(host[1].Take(20), v => Assert.Equal(0f, v));   // a's channel 0 is outside the slice
    }

    [Fact]
    public void CropMatchesTheKernelBitForBit()
    {
        var rng = new Random(6);
        var x = TestDevice.Random(rng, 2 * 3 * 40 * 33);
        var boxes = new[] { -7.3f, 2.25f, 30.75f, 45.5f, 31f, 1.5f, 3f, 20f };   // outside the image; mirrored
        var pad = new[] { 0.5f, -0.25f, 0.125f };
        float[] Run(bool hostSimd)
        {
            using var dev = TestDevice.Cpu(hostSimd);
            using var s = new TensorScope();
            return Ops.CropResize(Tensor.FromArray(dev, x, 2, 3, 40, 33), Tensor.FromArray(dev, boxes, 2, 4), Tensor.FromArray(dev, pad, 3), 17, 19).ToArray();
        }
        var host = Run(true);
        TestDevice.AssertSamePaths(host, Run(false), "kernel path");
        Assert.Contains(host, v => v == 0.5f);   // the padding was read
    }

    [Fact]
    public void CropGradientMatchesTheKernelBitForBit()
    {
        var rng = new Random(7);
        var x = TestDevice.Random(rng, 2 * 3 * 40 * 33);
        var g = TestDevice.Random(rng, 2 * 3 * 17 * 19);
        // a window partly outside the image, a mirrored one, and (sample 1 of the second run) a window smaller than a pixel
        var boxes = new[] { -7.3f, 2.25f, 30.75f, 45.5f, 31f, 1.5f, 3f, 20f };
        float[] Run(bool hostSimd, float[] b, float[] grad)
        {
            using var dev = TestDevice.Cpu(hostSimd);
            using var s = new TensorScope();
            var tx = Tensor.FromArray(dev, x, 2, 3, 40, 33);
            tx.RequiresGrad = true;
            var y = Ops.CropResize(tx, Tensor.FromArray(dev, b, 2, 4), Tensor.FromArray(dev, new[] { 0.5f, -0.25f, 0.125f }, 3), 17, 19);
            Ops.Sum(Ops.Mul(y, Tensor.FromArray(dev, grad, 2, 3, 17, 19)), new[] { 0, 1, 2, 3 }).Backward();
            return tx.Grad!.ToArray();
        }
        // the gradient is linear in g with non-negative weights: with |g| it is each element's sum of |terms|
        var gAbs = g.Select(Math.Abs).ToArray();
        foreach (var b in new[] { boxes, new[] { 2.5f, 3.5f, 20.25f, 30f, 10f, 10f, 10.0000005f, 10.0000005f } })
        {
            var host = Run(true, b, g);
            TestDevice.AssertSamePaths(host, Run(false, b, g), "kernel path", termMagnitude: Run(true, b, gAbs));
            Assert.Contains(host, v => v != 0f);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SgdStepMatchesTheKernelBitForBit(bool nesterov)
    {
        var rng = new Random(8);
        var w0 = TestDevice.Random(rng, 1000);
        var grads = new[] { TestDevice.Random(rng, 1000), TestDevice.Random(rng, 1000) };
        float[] Run(bool hostSimd)
        {
            using var dev = TestDevice.Cpu(hostSimd);
            using var w = Tensor.PersistentFromArray(dev, w0, 1000);
            w.RequiresGrad = true;
            using var opt = new Sgd(new[] { w }, 0.05f, 0.9f, 1e-3f, nesterov);
            foreach (var g in grads)   // two steps: the second one reads the velocity the first one wrote
            {
                using var s = new TensorScope();
                Ops.Sum(Ops.Mul(w, Tensor.FromArray(dev, g, 1000)), new[] { 0 }).Backward();
                opt.Step();
                opt.ZeroGrad();
            }
            return w.ToArray();
        }
        var host = Run(true);
        TestDevice.AssertSamePaths(host, Run(false), "kernel path");
        Assert.False(host.SequenceEqual(w0));
    }

    private static (float[] y, float[] dx) RunMaxPool(bool hostSimd, int[] shape, int k, int stride, int pad, float[] x, Random rng)
    {
        using var dev = TestDevice.Cpu(hostSimd);
        using var s = new TensorScope();
        var tx = Tensor.FromArray(dev, x, shape);
        tx.RequiresGrad = tx.RetainGrad = true;
        var y = Ops.MaxPool2d(tx, k, stride, pad);
        y.Backward(Tensor.FromArray(dev, TestDevice.Random(rng, y.Size), y.Shape));
        return (y.ToArray(), tx.Grad!.ToArray());
    }

    [Fact]
    public void MaxPoolAndItsGradientMatchTheKernelBitForBit()
    {
        // ResNet's 3×3/2 padded by one (odd and even sides), 2×2/2, and inputs with ties (rounded values): the first
        // maximum wins on both paths, and an input under several windows sums their gradients in the same order.
        var cases = new (int[] Shape, int K, int S, int P, bool Ties)[]
        {
            (new[] { 2, 3, 9, 11 }, 3, 2, 1, false), (new[] { 1, 4, 10, 8 }, 3, 2, 1, true), (new[] { 2, 2, 8, 6 }, 2, 2, 0, false),
            (new[] { 1, 3, 7, 7 }, 3, 1, 1, true),
        };
        foreach (var (shape, k, st, pad, ties) in cases)
        {
            var x = TestDevice.Random(new Random(shape.Sum() + k), Tensor.SizeOf(shape));
            if (ties) for (int i = 0; i < x.Length; i++) x[i] = MathF.Round(x[i] * 2);
            var host = RunMaxPool(true, shape, k, st, pad, x, new Random(3));
            var kernel = RunMaxPool(false, shape, k, st, pad, x, new Random(3));
            var what = $"maxpool [{string.Join(",", shape)}] k{k} s{st} p{pad}";
            TestDevice.AssertSamePaths(host.y, kernel.y, what + ": forward");
            TestDevice.AssertSamePaths(host.dx, kernel.dx, what + ": gradient");
            Assert.Contains(host.dx, v => v != 0f);
        }
    }
}
