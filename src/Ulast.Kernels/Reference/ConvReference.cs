namespace Ulast.Kernels.Reference;

/// <summary>Double-precision convolution by the definition.</summary>
public static class ConvReference
{
    public static double[] Forward(in ConvParams p, float[] x, float[] w)
    {
        var y = new double[p.OutputSize];
        for (int n = 0; n < p.N; n++)
            for (int co = 0; co < p.Cout; co++)
            {
                int g = co / p.CoutG;
                for (int oy = 0; oy < p.Ho; oy++)
                    for (int ox = 0; ox < p.Wo; ox++)
                    {
                        double acc = 0;
                        for (int cg = 0; cg < p.CinG; cg++)
                            for (int ky = 0; ky < p.KH; ky++)
                                for (int kx = 0; kx < p.KW; kx++)
                                {
                                    int iy = oy * p.StrideH - p.PadH + ky * p.DilH, ix = ox * p.StrideW - p.PadW + kx * p.DilW;
                                    if (iy < 0 || iy >= p.H || ix < 0 || ix >= p.W) continue;
                                    acc += (double)x[((n * p.Cin + g * p.CinG + cg) * p.H + iy) * p.W + ix] * w[((co * p.CinG + cg) * p.KH + ky) * p.KW + kx];
                                }
                        y[((n * p.Cout + co) * p.Ho + oy) * p.Wo + ox] = acc;
                    }
            }
        return y;
    }

    /// <summary>Both gradients by scattering each output's gradient, the transpose of the forward loop.</summary>
    public static (double[] dx, double[] dw) Backward(in ConvParams p, float[] x, float[] w, float[] dy)
    {
        var dx = new double[p.InputSize];
        var dw = new double[p.WeightSize];
        for (int n = 0; n < p.N; n++)
            for (int co = 0; co < p.Cout; co++)
            {
                int g = co / p.CoutG;
                for (int oy = 0; oy < p.Ho; oy++)
                    for (int ox = 0; ox < p.Wo; ox++)
                    {
                        double gv = dy[((n * p.Cout + co) * p.Ho + oy) * p.Wo + ox];
                        for (int cg = 0; cg < p.CinG; cg++)
                            for (int ky = 0; ky < p.KH; ky++)
                                for (int kx = 0; kx < p.KW; kx++)
                                {
                                    int iy = oy * p.StrideH - p.PadH + ky * p.DilH, ix = ox * p.StrideW - p.PadW + kx * p.DilW;
                                    if (iy < 0 || iy >= p.H || ix < 0 || ix >= p.W) continue;
                                    int xi = ((n * p.Cin + g * p.CinG + cg) * p.H + iy) * p.W + ix, wi = ((co * p.CinG + cg) * p.KH + ky) * p.KW + kx;
                                    dx[xi] += gv * w[wi];
                                    dw[wi] += gv * x[xi];
                                }
                    }
            }
        return (dx, dw);
    }
}
