using Ulast.Kernels.Host;

namespace Ulast.Autograd;

public static partial class Ops
{
    /// <summary>
    /// op(A)·op(B) for [M,K]·[K,N] or batched [B,M,K]·[B,K,N]; a 2-d operand is shared by every batch.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b, bool transA = false, bool transB = false)
    {
        if (a.Rank is < 2 or > 3 || b.Rank is < 2 or > 3) throw new ArgumentException($"MatMul needs 2-d or 3-d operands, got {a.ShapeString} and {b.ShapeString}.");
        int batchA = a.Rank == 3 ? a.Shape[0] : 1, batchB = b.Rank == 3 ? b.Shape[0] : 1;
        if (batchA != batchB && batchA != 1 && batchB != 1) throw new ArgumentException($"MatMul batch sizes differ: {a.ShapeString} and {b.ShapeString}.");
        int batch = Math.Max(batchA, batchB);
        int ar = a.Shape[^2], ac = a.Shape[^1], br = b.Shape[^2], bc = b.Shape[^1];
        int m = transA ? ac : ar, k = transA ? ar : ac, kb = transB ? bc : br, n = transB ? br : bc;
        if (k != kb) throw new ArgumentException($"MatMul inner sizes differ: {a.ShapeString}{(transA ? "ᵀ" : "")} · {b.ShapeString}{(transB ? "ᵀ" : "")}.");
        var p = new MatMulParams(batch, m, n, k, transA, transB, batchA == 1 ? 0 : ar * ac, batchB == 1 ? 0 : br * bc);
        bool batched = a.Rank == 3 || b.Rank == 3;
        var shape = batched ? new[] { batch, m, n } : new[] { m, n };
        var y = Tensor.Result(a.Device, shape, "matmul", new[] { a, b }, _ => g =>
        {
            var gv = g.Reshape(batch, m, n);
            if (a.RequiresGrad)
            {
                // dA = dC·op(B)ᵀ, or its transpose when A is stored transposed.
                var da = transA ? MatMulNoGrad(b.Detach(), gv, transB, true, batch, batchB) : MatMulNoGrad(gv, b.Detach(), false, !transB, batch, batchB, secondShared: true);
                Tensor.AccumulateGrad(a, SumBatchIfShared(da, batchA, a.Shape));
            }
            if (b.RequiresGrad)
            {
                var db = transB ? MatMulNoGrad(gv, a.Detach(), true, transA, batch, batchA, secondShared: true) : MatMulNoGrad(a.Detach(), gv, !transA, false, batch, batchA);
                Tensor.AccumulateGrad(b, SumBatchIfShared(db, batchB, b.Shape));
            }
        });
        MatMulInto(p, a, b, y);
        return y;
    }

    /// <summary>Batched product where one operand may be shared (batch 1); always returns [batch, rows, cols].</summary>
    private static Tensor MatMulNoGrad(Tensor x, Tensor z, bool tx, bool tz, int batch, int sharedBatch, bool secondShared = false)
    {
        using var _ = GradMode.NoGrad();
        bool xShared = !secondShared && sharedBatch == 1, zShared = secondShared && sharedBatch == 1;
        int xr = x.Shape[^2], xc = x.Shape[^1], zr = z.Shape[^2], zc = z.Shape[^1];
        int m = tx ? xc : xr, k = tx ? xr : xc, n = tz ? zr : zc;
        var p = new MatMulParams(batch, m, n, k, tx, tz, xShared ? 0 : xr * xc, zShared ? 0 : zr * zc);
        var y = Tensor.Empty(x.Device, batch, m, n);
        MatMulInto(p, x, z, y);
        return y;
    }

    private static Tensor SumBatchIfShared(Tensor d, int batchOfOperand, int[] shape)
    {
        if (batchOfOperand == d.Shape[0]) return d.Reshape(shape);
        var r = Tensor.Empty(d.Device, shape);
        d.Device.Kernels.Launch(BroadcastKernels.ReduceToShape, r.Size, d.Dims, Dims4.From(new[] { 1, d.Shape[1], d.Shape[2] }), d.View, r.View, 1f);
        d.Dispose();
        return r;
    }

    internal static unsafe void MatMulInto(MatMulParams p, Tensor a, Tensor b, Tensor c)
    {
        var dev = a.Device;
        if (!dev.HostPath)
        {
            dev.Kernels.Launch(MatMulKernels.MatMul, p.Batch * p.M * p.N, p, a.View, b.View, c.View);
            return;
        }
        dev.Synchronize();
        float* pa = a.HostPointer, pb = b.HostPointer, pc = c.HostPointer;
        int lda = p.TransA == 0 ? p.K : p.M, ldb = p.TransB == 0 ? p.N : p.K;
        for (int i = 0; i < p.Batch; i++)
            HostGemm.Gemm(dev.Tuning, p.M, p.N, p.K, pa + (long)i * p.StrideA, lda, p.TransA != 0, pb + (long)i * p.StrideB, ldb, p.TransB != 0,
                pc + (long)i * p.M * p.N, p.N, false, dev.Tuning.Threads);
    }
}
