using Ulast.Tracker.Anchors;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// [ours] Where the discriminative filter's response peaks near an anchor's cell, in search-crop pixels: the cell's
/// centre moved by the vertex of a parabola through the cell and its two neighbours, along x and along y (at most half
/// a cell each way). The filter is fitted to a Gaussian on the target, so its response locates the target more
/// closely than the regressed centre of the chosen anchor (FilterConfig.PositionWeight; docs/notebook/experiments.md).
/// </summary>
public static class ResponsePeak
{
    /// <summary>The peak near the cell of anchor <paramref name="anchor"/> (anchor-major index) on a ScoreSize² response, row-major.</summary>
    public static (float X, float Y) Near(ReadOnlySpan<float> response, int anchor, AnchorConfig anchors)
    {
        int n = anchors.ScoreSize, half = n / 2, q = anchor % (n * n), i = q / n, j = q % n;
        if (response.Length != n * n) throw new ArgumentException($"response holds {response.Length} cells, {n}×{n} expected.");
        float ox = j > 0 && j < n - 1 ? Parabola.Vertex(response[i * n + j - 1], response[i * n + j], response[i * n + j + 1]) : 0f;
        float oy = i > 0 && i < n - 1 ? Parabola.Vertex(response[(i - 1) * n + j], response[i * n + j], response[(i + 1) * n + j]) : 0f;
        return (anchors.Centre + anchors.Stride * (j - half + ox), anchors.Centre + anchors.Stride * (i - half + oy));
    }

}
