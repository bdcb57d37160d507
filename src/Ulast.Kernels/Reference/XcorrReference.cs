namespace Ulast.Kernels.Reference;

public static class XcorrReference
{
    public static double[] Forward(in XcorrParams p, float[] s, float[] k)
    {
        var y = new double[p.OutputSize];
        for (int bc = 0; bc < p.B * p.C; bc++)
            for (int oy = 0; oy < p.Ho; oy++)
                for (int ox = 0; ox < p.Wo; ox++)
                {
                    double acc = 0;
                    for (int ky = 0; ky < p.Hk; ky++)
                        for (int kx = 0; kx < p.Wk; kx++)
                            acc += (double)s[(bc * p.Hs + oy + ky) * p.Ws + ox + kx] * k[(bc * p.Hk + ky) * p.Wk + kx];
                    y[(bc * p.Ho + oy) * p.Wo + ox] = acc;
                }
        return y;
    }

    public static (double[] ds, double[] dk) Backward(in XcorrParams p, float[] s, float[] k, float[] g)
    {
        var ds = new double[p.SearchSize];
        var dk = new double[p.KernelSize];
        for (int bc = 0; bc < p.B * p.C; bc++)
            for (int oy = 0; oy < p.Ho; oy++)
                for (int ox = 0; ox < p.Wo; ox++)
                {
                    double gv = g[(bc * p.Ho + oy) * p.Wo + ox];
                    for (int ky = 0; ky < p.Hk; ky++)
                        for (int kx = 0; kx < p.Wk; kx++)
                        {
                            int si = (bc * p.Hs + oy + ky) * p.Ws + ox + kx, ki = (bc * p.Hk + ky) * p.Wk + kx;
                            ds[si] += gv * k[ki];
                            dk[ki] += gv * s[si];
                        }
                }
        return (ds, dk);
    }
}
