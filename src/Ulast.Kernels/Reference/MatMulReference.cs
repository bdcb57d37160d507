namespace Ulast.Kernels.Reference;

public static class MatMulReference
{
    public static double[] Forward(in MatMulParams p, float[] a, float[] b)
    {
        var c = new double[p.Batch * p.M * p.N];
        for (int bt = 0; bt < p.Batch; bt++)
            for (int m = 0; m < p.M; m++)
                for (int n = 0; n < p.N; n++)
                {
                    double acc = 0;
                    for (int k = 0; k < p.K; k++)
                    {
                        double va = p.TransA == 0 ? a[bt * p.StrideA + m * p.K + k] : a[bt * p.StrideA + k * p.M + m];
                        double vb = p.TransB == 0 ? b[bt * p.StrideB + k * p.N + n] : b[bt * p.StrideB + n * p.K + k];
                        acc += va * vb;
                    }
                    c[(bt * p.M + m) * p.N + n] = acc;
                }
        return c;
    }
}
