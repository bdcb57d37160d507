using Ulast.Tracker.Anchors;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

public class ResponsePeakTests
{
    [Fact]
    public void VertexOfAnExactParabola()
    {
        static float Y(float x) => 2f - (x - 0.3f) * (x - 0.3f);
        Assert.Equal(0.3f, Parabola.Vertex(Y(-1), Y(0), Y(1)), 1e-5f);
        Assert.Equal(-0.5f, Parabola.Vertex(1f, 0.5f, -1f), 1e-6f);      // the vertex at −1, clamped to half a cell
        Assert.Equal(0f, Parabola.Vertex(1f, 0f, 1f));                    // opens upwards: no vertex to trust
        Assert.Equal(0f, Parabola.Vertex(0.2f, 0.2f, 0.2f));
        Assert.Equal(0.3, Parabola.Vertex(0.31, 1.91, 1.51), 1e-12);                 // in double: 2 − (x − 0.3)² at −1, 0, 1
    }

    [Fact]
    public void FindsAGaussianPeakBetweenCells()
    {
        var anchors = new AnchorConfig();
        int n = anchors.ScoreSize;
        float px = 14.3f, py = 9.8f;                                          // the peak in cells: column 14.3, row 9.8
        var response = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                response[i * n + j] = MathF.Exp(-((j - px) * (j - px) + (i - py) * (i - py)) / 2f);
        int anchor = (2 * n + 10) * n + 14;                                   // anchor 2 of cell (row 10, column 14)
        var (x, y) = ResponsePeak.Near(response, anchor, anchors);
        Assert.Equal(anchors.Centre + anchors.Stride * (px - n / 2), x, 0.6f);   // within 0.075 of a cell
        Assert.Equal(anchors.Centre + anchors.Stride * (py - n / 2), y, 0.6f);
    }

    [Fact]
    public void EdgeCellsKeepTheirCentreAlongTheEdgeAxis()
    {
        var anchors = new AnchorConfig();
        int n = anchors.ScoreSize;
        var response = new float[n * n];
        response[0 * n + 5] = 1f;
        response[0 * n + 6] = 0.5f;
        var (x, y) = ResponsePeak.Near(response, 5, anchors);                  // cell (row 0, column 5)
        Assert.Equal(anchors.Centre - anchors.Stride * (n / 2), y);
        Assert.True(x > anchors.Centre + anchors.Stride * (5 - n / 2), "the larger right neighbour pulls x right");
        Assert.Throws<ArgumentException>(() => ResponsePeak.Near(new float[10], 0, anchors));
    }
}
