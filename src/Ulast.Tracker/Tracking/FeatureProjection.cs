namespace Ulast.Tracker.Tracking;

/// <summary>
/// [ours] The leading principal directions of a feature map's channels (ECO's factorised features): the rows of a
/// k × C matrix P, orthonormal, that keep the most of Σ_positions x xᵀ. The discriminative filter then learns on P·x,
/// k channels instead of C, so that each of its correlations costs k/C as much.
/// </summary>
public static class FeatureProjection
{
    /// <summary>P [k, C] (row-major) from features [C, positions] (row-major), in double; eigenvalues largest first.</summary>
    public static float[] Fit(float[] features, int channels, int k)
    {
        if (k < 1 || k > channels) throw new ArgumentException($"A projection keeps 1 to {channels} channels, not {k}.");
        if (features.Length % channels != 0) throw new ArgumentException($"{features.Length} values are not {channels} channels.");
        int n = features.Length / channels;
        var m = new double[channels, channels];
        for (int i = 0; i < channels; i++)
            for (int j = i; j < channels; j++)
            {
                double s = 0;
                for (int p = 0; p < n; p++) s += (double)features[i * n + p] * features[j * n + p];
                m[i, j] = m[j, i] = s / n;
            }
        var (values, vectors) = SymmetricEigen(m);
        var order = Enumerable.Range(0, channels).OrderByDescending(i => values[i]).ThenBy(i => i).ToArray();
        var proj = new float[k * channels];
        for (int r = 0; r < k; r++)
        {
            int e = order[r];
            // one sign per direction, so that the same features always give the same P
            int big = Enumerable.Range(0, channels).MaxBy(i => Math.Abs(vectors[i, e]));
            double sign = vectors[big, e] < 0 ? -1 : 1;
            for (int c = 0; c < channels; c++) proj[r * channels + c] = (float)(sign * vectors[c, e]);
        }
        return proj;
    }

    /// <summary>Cyclic Jacobi rotations: eigenvalues and eigenvectors (columns) of a symmetric matrix.</summary>
    public static (double[] values, double[,] vectors) SymmetricEigen(double[,] a)
    {
        int n = a.GetLength(0);
        var m = (double[,])a.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 50; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += m[i, i] * m[i, i];
                for (int j = i + 1; j < n; j++) off += m[i, j] * m[i, j];
            }
            if (off <= 1e-24 * Math.Max(diag, 1e-300)) break;
            for (int p = 0; p < n - 1; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (m[p, q] == 0) continue;
                    double theta = (m[q, q] - m[p, p]) / (2 * m[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double mkp = m[k, p], mkq = m[k, q];
                        m[k, p] = c * mkp - s * mkq;
                        m[k, q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double mpk = m[p, k], mqk = m[q, k];
                        m[p, k] = c * mpk - s * mqk;
                        m[q, k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = m[i, i];
        return (values, v);
    }
}
