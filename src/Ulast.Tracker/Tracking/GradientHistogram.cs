namespace Ulast.Tracker;

/// <summary>
/// HOG-like cell features of a small grey patch, the features DSST's scale filter correlates: per cell of
/// <c>cell</c>×<c>cell</c> pixels a histogram of unsigned gradient orientation (9 bins, magnitude-weighted, each
/// gradient shared linearly between its two nearest bins), normalised by the energy of each of the four 2×2-cell
/// blocks that hold the cell, truncated at 0.2 and summed over the four (Felzenszwalb's contrast-insensitive part).
/// </summary>
public static class GradientHistogram
{
    public const int Bins = 9;
    private const float Truncate = 0.2f;

    /// <summary>Feature length for a patch of width × height pixels.</summary>
    public static int Length(int width, int height, int cell) => (width / cell) * (height / cell) * Bins;

    /// <summary>
    /// Writes <see cref="Length"/> values for the row-major grey patch <paramref name="pixels"/> (width × height) into
    /// <paramref name="output"/>, cells in row-major order, bins within a cell. Pixels beyond the last whole cell are ignored.
    /// </summary>
    public static void Compute(ReadOnlySpan<float> pixels, int width, int height, int cell, Span<float> output)
    {
        if (cell < 1) throw new ArgumentOutOfRangeException(nameof(cell), "cell size must be at least 1 pixel.");
        if (pixels.Length < width * height) throw new ArgumentException($"patch holds {pixels.Length} pixels, {width}×{height} expected.");
        int cx = width / cell, cy = height / cell;
        if (output.Length < cx * cy * Bins) throw new ArgumentException($"output holds {output.Length} values, {cx * cy * Bins} needed.");
        var hist = new float[cx * cy * Bins];
        for (int y = 0; y < cy * cell; y++)
        {
            int ym = Math.Max(y - 1, 0), yp = Math.Min(y + 1, height - 1);
            for (int x = 0; x < cx * cell; x++)
            {
                int xm = Math.Max(x - 1, 0), xp = Math.Min(x + 1, width - 1);
                float gx = pixels[y * width + xp] - pixels[y * width + xm];
                float gy = pixels[yp * width + x] - pixels[ym * width + x];
                float magnitude = MathF.Sqrt(gx * gx + gy * gy);
                if (magnitude == 0) continue;
                // Unsigned orientation in [0, π), as a continuous bin position; bin b's centre is at b + 0.5.
                float angle = MathF.Atan2(gy, gx);
                if (angle < 0) angle += MathF.PI;
                float position = angle / MathF.PI * Bins - 0.5f;
                int low = (int)MathF.Floor(position);
                float upper = position - low;
                int b0 = (low + Bins) % Bins, b1 = (low + 1 + Bins) % Bins;
                int at = ((y / cell) * cx + x / cell) * Bins;
                hist[at + b0] += magnitude * (1 - upper);
                hist[at + b1] += magnitude * upper;
            }
        }
        var energy = new float[cx * cy];
        for (int c = 0; c < energy.Length; c++)
        {
            float e = 0;
            for (int b = 0; b < Bins; b++) e += hist[c * Bins + b] * hist[c * Bins + b];
            energy[c] = e;
        }
        output[..(cx * cy * Bins)].Clear();
        for (int j = 0; j < cy; j++)
            for (int i = 0; i < cx; i++)
                // The four 2×2 blocks that hold cell (i, j), clamped at the patch's edges.
                for (int dj = -1; dj <= 0; dj++)
                    for (int di = -1; di <= 0; di++)
                    {
                        int j0 = Math.Clamp(j + dj, 0, Math.Max(cy - 2, 0)), i0 = Math.Clamp(i + di, 0, Math.Max(cx - 2, 0));
                        float block = 1e-6f;
                        for (int bj = j0; bj < Math.Min(j0 + 2, cy); bj++)
                            for (int bi = i0; bi < Math.Min(i0 + 2, cx); bi++) block += energy[bj * cx + bi];
                        float scale = 1f / MathF.Sqrt(block);
                        int at = (j * cx + i) * Bins;
                        for (int b = 0; b < Bins; b++) output[at + b] += MathF.Min(hist[at + b] * scale, Truncate);
                    }
    }
}
