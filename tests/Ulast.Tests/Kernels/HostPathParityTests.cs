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
        int[][] shapesA = { new[] { 2, 9, 4 }, new[] { 2, 3, 5, 7 }, new[] { 2, 3, 5, 7 }, new[] { 3, 1, 5, 1 }, new[] { 5, 7 }, new[] { 2, 9, 1 } };
        int[][] shapesB = { new[] { 2, 9, 1 }, new[] { 2, 1, 5, 7 }, new[] { 1, 3, 1, 1 }, new[] { 1, 4, 1, 7 }, new[] { 2, 3, 5, 7 }, new[] { 2, 9, 4 } };
        foreach (var op in Enum.GetValues<BinaryOp>())
            for (int k = 0; k < shapesA.Length; k++)
            {
                var a = TestDevice.Random(rng, Tensor.SizeOf(shapesA[k]));
                var b = TestDevice.Random(rng, Tensor.SizeOf(shapesB[k]), 0.5, 2);
                var g = TestDevice.Random(rng, Tensor.SizeOf(Ops.BroadcastShape(shapesA[k], shapesB[k])));
                var host = RunBinary(true, op, shapesA[k], shapesB[k], a, b, g);
                var kernel = RunBinary(false, op, shapesA[k], shapesB[k], a, b, g);
                Assert.True(host.y.SequenceEqual(kernel.y), $"{op} {k}: forward");
                Assert.True(host.da.SequenceEqual(kernel.da), $"{op} {k}: gradient of a");
                Assert.True(host.db.SequenceEqual(kernel.db), $"{op} {k}: gradient of b");
                Assert.Contains(host.db, v => v != 0f);
            }
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
        Assert.True(host.SequenceEqual(Run(false)));
        Assert.Contains(host, v => v == 0.5f);   // the padding was read
    }
}
