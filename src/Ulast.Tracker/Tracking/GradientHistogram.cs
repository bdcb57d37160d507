namespace Ulast.Tracker.Tracking;

/// <summary>
/// HOG-like cell features of a small grey patch, the features DSST's scale filter correlates: per cell of
/// <c>cell</c>×<c>cell</c> pixels a histogram of unsigned gradient orientation (9 bins, magnitude-weighted, each
/// gradient shared linearly between its two nearest bins), normalised by the energy of each of the four 2×2-cell
/// blocks that hold the cell, truncated at 0.2 and summed over the four (Felzenszwalb's contrast-insensitive part).
/// With <c>signed</c> each cell also gets the 18 bins of signed orientation over [0, 2π), normalised by the same
/// blocks (Felzenszwalb's contrast-sensitive part): 27 values per cell.
/// </summary>
public static class GradientHistogram
{
    public const int Bins = 9;
    private const float Truncate = 0.2f;

    /// <summary>Values per cell: 9 unsigned bins, and 18 signed ones with <c>signed</c>.</summary>
    public static int PerCell(bool signed) => signed ? 3 * Bins : Bins;

    /// <summary>Feature length for a patch of width × height pixels.</summary>
    public static int Length(int width, int height, int cell, bool signed = false) => (width / cell) * (height / cell) * PerCell(signed);

    /// <summary>
    /// Writes <see cref="Length"/> values for the row-major grey patch <paramref name="pixels"/> (width × height) into
    /// <paramref name="output"/>, cells in row-major order, bins within a cell. Pixels beyond the last whole cell are ignored.
    /// </summary>
    public static void Compute(ReadOnlySpan<float> pixels, int width, int height, int cell, Span<float> output, bool signed = false)
    {
        if (cell < 1) throw new ArgumentOutOfRangeException(nameof(cell), "cell size must be at least 1 pixel.");
        if (pixels.Length < width * height) throw new ArgumentException($"patch holds {pixels.Length} pixels, {width}×{height} expected.");
        int cx = width / cell, cy = height / cell;
        int per = PerCell(signed), bins2 = 2 * Bins;
        if (output.Length < cx * cy * per) throw new ArgumentException($"output holds {output.Length} values, {cx * cy * per} needed.");
        // Signed histogram over [0, 2π) in 18 bins; the unsigned one folds its opposite bins together.
        var hist2 = new float[cx * cy * bins2];
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
                // Orientation in [0, 2π) as a continuous bin position; bin b's centre is at b + 0.5 (20° wide).
                float angle = MathF.Atan2(gy, gx);
                if (angle < 0) angle += 2 * MathF.PI;
                float position = angle / (2 * MathF.PI) * bins2 - 0.5f;
                int low = (int)MathF.Floor(position);
                float upper = position - low;
                int b0 = (low + bins2) % bins2, b1 = (low + 1 + bins2) % bins2;
                int at = ((y / cell) * cx + x / cell) * bins2;
                hist2[at + b0] += magnitude * (1 - upper);
                hist2[at + b1] += magnitude * upper;
            }
        }
        var hist = new float[cx * cy * Bins];
        for (int c = 0; c < cx * cy; c++)
            for (int b = 0; b < Bins; b++) hist[c * Bins + b] = hist2[c * bins2 + b] + hist2[c * bins2 + b + Bins];
        var energy = new float[cx * cy];
        for (int c = 0; c < energy.Length; c++)
        {
            float e = 0;
            for (int b = 0; b < Bins; b++) e += hist[c * Bins + b] * hist[c * Bins + b];
            energy[c] = e;
        }
        output[..(cx * cy * per)].Clear();
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
                        int c = j * cx + i, at = c * per;
                        for (int b = 0; b < Bins; b++) output[at + b] += MathF.Min(hist[c * Bins + b] * scale, Truncate);
                        if (signed)
                            for (int b = 0; b < bins2; b++) output[at + Bins + b] += MathF.Min(hist2[c * bins2 + b] * scale, Truncate);
                    }
    }
}
