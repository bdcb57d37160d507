using OpenCvSharp;
using Ulast.Tracker.Evaluation;

namespace Ulast.Tests.Tracker;

public class PlotTests
{
    [Fact]
    public void CurvesAreDrawnInColourWithTheirLegend()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ulast-plot-{Guid.NewGuid():N}.png");
        try
        {
            var xs = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();
            Plot.Curves(path, "Success", "overlap threshold", "success rate", xs,
                new[] { ("a [0.5]", xs.Select(x => 1 - x).ToArray()), ("b [0.2]", xs.Select(x => x < 0.5 ? double.NaN : 0.3).ToArray()) }, 1);
            using var img = Cv2.ImRead(path);
            Assert.Equal(new Size(800, 600), img.Size());
            // The curves are coloured; text, grid and frame are grey: count strongly coloured pixels.
            var hsv = img.CvtColor(ColorConversionCodes.BGR2HSV);
            using var mask = hsv.InRange(new Scalar(0, 120, 80), new Scalar(180, 255, 255));
            Assert.True(Cv2.CountNonZero(mask) > 1000, $"{Cv2.CountNonZero(mask)} coloured pixels");
            Assert.False(File.Exists(path + ".tmp"));
        }
        finally { File.Delete(path); }
    }
}
