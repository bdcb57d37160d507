namespace Ulast.Tracker.Anchors;

/// <summary>
/// SiamRPN++ anchors on the score map of a search crop: 5 aspect ratios × 1 scale at every cell of a
/// ScoreSize×ScoreSize map, cell (i, j) centred at Centre + Stride·(j − ScoreSize/2) (x) and likewise y.
/// </summary>
public sealed record AnchorConfig
{
    public int Stride { get; init; } = 8;
    public float[] Ratios { get; init; } = { 0.33f, 0.5f, 1f, 2f, 3f };
    public float[] Scales { get; init; } = { 8f };
    public int ScoreSize { get; init; } = 25;
    /// <summary>Pixel position of the map's middle cell in the search crop (127 for a 255 crop).</summary>
    public float Centre { get; init; } = 127f;

    public int PerCell => Ratios.Length * Scales.Length;
    public int Count => PerCell * ScoreSize * ScoreSize;

    /// <summary>The K = PerCell·ScoreSize² anchors as (cx, cy, w, h), anchor-major: k = (a·S + i)·S + j.</summary>
    public float[] Generate()
    {
        var sizes = new List<(float w, float h)>();
        float size = Stride * Stride;
        foreach (var r in Ratios)
        {
            // pysot: ws = int(sqrt(size / r)), hs = int(ws · r)
            int ws = (int)Math.Sqrt(size / r), hs = (int)(ws * r);
            foreach (var s in Scales) sizes.Add((ws * s, hs * s));
        }
        int n = ScoreSize, half = n / 2;
        var anchors = new float[Count * 4];
        for (int a = 0; a < sizes.Count; a++)
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    int k = (a * n + i) * n + j;
                    anchors[k * 4] = Centre + Stride * (j - half);
                    anchors[k * 4 + 1] = Centre + Stride * (i - half);
                    anchors[k * 4 + 2] = sizes[a].w;
                    anchors[k * 4 + 3] = sizes[a].h;
                }
        return anchors;
    }
}
