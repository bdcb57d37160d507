using ILGPU;

namespace Ulast.Kernels;

/// <summary>C[b] = op(A[b]) · op(B[b]) with op = optional transpose; a batch stride of 0 shares the operand.</summary>
public readonly struct MatMulParams
{
    public readonly int Batch, M, N, K, TransA, TransB, StrideA, StrideB;
    public MatMulParams(int batch, int m, int n, int k, bool transA, bool transB, int strideA, int strideB)
    { Batch = batch; M = m; N = n; K = k; TransA = transA ? 1 : 0; TransB = transB ? 1 : 0; StrideA = strideA; StrideB = strideB; }
    public long Flops => 2L * Batch * M * N * K;
}

public static class MatMulKernels
{
    /// <summary>One thread per element of C. Plain and correct; the CPU runs the SIMD host GEMM instead.</summary>
    [UlastKernel]
    public static void MatMul(Index1D i, MatMulParams p, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        int n = i % p.N, m = i / p.N % p.M, bt = i / (p.N * p.M);
        int ao = bt * p.StrideA, bo = bt * p.StrideB;
        float acc = 0f;
        for (int k = 0; k < p.K; k++)
        {
            float va = p.TransA == 0 ? a[ao + m * p.K + k] : a[ao + k * p.M + m];
            float vb = p.TransB == 0 ? b[bo + k * p.N + n] : b[bo + n * p.K + k];
            acc += va * vb;
        }
        c[i] = acc;
    }
}
