namespace Ulast.Kernels.Reference;

/// <summary>References for the element-wise, broadcast, reduction, softmax and channel ops.</summary>
public static class ElementwiseReference
{
    public static double Unary(UnaryOp op, double v) => op switch
    {
        UnaryOp.Relu => Math.Max(v, 0),
        UnaryOp.Sigmoid => 1 / (1 + Math.Exp(-v)),
        UnaryOp.Exp => Math.Exp(v),
        _ => Math.Log(v),
    };

    public static double[] Binary(BinaryOp op, Dims4 o, Dims4 da, float[] a, Dims4 db, float[] b)
    {
        var y = new double[o.Size];
        for (int n = 0; n < o.N; n++)
            for (int c = 0; c < o.C; c++)
                for (int h = 0; h < o.H; h++)
                    for (int w = 0; w < o.W; w++)
                    {
                        double va = a[da.Broadcast(n, c, h, w)], vb = b[db.Broadcast(n, c, h, w)];
                        y[((n * o.C + c) * o.H + h) * o.W + w] = op switch
                        {
                            BinaryOp.Add => va + vb,
                            BinaryOp.Sub => va - vb,
                            BinaryOp.Mul => va * vb,
                            _ => va / vb,
                        };
                    }
        return y;
    }

    public static double[] ReduceToShape(Dims4 src, Dims4 dst, float[] x, double scale)
    {
        var y = new double[dst.Size];
        for (int n = 0; n < src.N; n++)
            for (int c = 0; c < src.C; c++)
                for (int h = 0; h < src.H; h++)
                    for (int w = 0; w < src.W; w++)
                        y[dst.Broadcast(n, c, h, w)] += x[((n * src.C + c) * src.H + h) * src.W + w];
        for (int i = 0; i < y.Length; i++) y[i] *= scale;
        return y;
    }

    public static double[] Softmax(float[] x, int cols)
    {
        var y = new double[x.Length];
        for (int r = 0; r < x.Length / cols; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < cols; j++) max = Math.Max(max, x[r * cols + j]);
            for (int j = 0; j < cols; j++) sum += y[r * cols + j] = Math.Exp(x[r * cols + j] - max);
            for (int j = 0; j < cols; j++) y[r * cols + j] /= sum;
        }
        return y;
    }

    public static double[] BatchNormTrain(BatchNormParams p, float[] x, float[] gamma, float[] beta)
    {
        var y = new double[p.Size];
        for (int c = 0; c < p.C; c++)
        {
            double s = 0, v = 0;
            for (int n = 0; n < p.N; n++) for (int q = 0; q < p.Plane; q++) s += x[(n * p.C + c) * p.Plane + q];
            double m = s / p.Count;
            for (int n = 0; n < p.N; n++) for (int q = 0; q < p.Plane; q++) { double d = x[(n * p.C + c) * p.Plane + q] - m; v += d * d; }
            double inv = 1 / Math.Sqrt(v / p.Count + p.Eps);
            for (int n = 0; n < p.N; n++)
                for (int q = 0; q < p.Plane; q++)
                {
                    int o = (n * p.C + c) * p.Plane + q;
                    y[o] = (x[o] - m) * inv * gamma[c] + beta[c];
                }
        }
        return y;
    }

    public static double[] MaxPool(PoolParams p, float[] x)
    {
        var y = new double[p.OutputSize];
        for (int nc = 0; nc < p.N * p.C; nc++)
            for (int oy = 0; oy < p.Ho; oy++)
                for (int ox = 0; ox < p.Wo; ox++)
                {
                    double best = double.NegativeInfinity;
                    for (int ky = 0; ky < p.K; ky++)
                        for (int kx = 0; kx < p.K; kx++)
                        {
                            int iy = oy * p.Stride - p.Pad + ky, ix = ox * p.Stride - p.Pad + kx;
                            if (iy >= 0 && iy < p.H && ix >= 0 && ix < p.W) best = Math.Max(best, x[(nc * p.H + iy) * p.W + ix]);
                        }
                    y[(nc * p.Ho + oy) * p.Wo + ox] = best;
                }
        return y;
    }

    public static double[] Crop(CropParams p, float[] x, float[] boxes, float[] pad)
    {
        var y = new double[p.OutputSize];
        for (int n = 0; n < p.N; n++)
            for (int c = 0; c < p.C; c++)
                for (int oy = 0; oy < p.OH; oy++)
                    for (int ox = 0; ox < p.OW; ox++)
                    {
                        double sx = boxes[n * 4] + (ox + 0.5) * (boxes[n * 4 + 2] - boxes[n * 4]) / p.OW - 0.5;
                        double sy = boxes[n * 4 + 1] + (oy + 0.5) * (boxes[n * 4 + 3] - boxes[n * 4 + 1]) / p.OH - 0.5;
                        int fx = (int)Math.Floor(sx), fy = (int)Math.Floor(sy);
                        double ax = sx - fx, ay = sy - fy;
                        double Tap(int yy, int xx) => yy < 0 || yy >= p.H || xx < 0 || xx >= p.W ? pad[c] : x[((n * p.C + c) * p.H + yy) * p.W + xx];
                        y[((n * p.C + c) * p.OH + oy) * p.OW + ox] =
                            (1 - ay) * ((1 - ax) * Tap(fy, fx) + ax * Tap(fy, fx + 1)) + ay * ((1 - ax) * Tap(fy + 1, fx) + ax * Tap(fy + 1, fx + 1));
                    }
        return y;
    }
}
