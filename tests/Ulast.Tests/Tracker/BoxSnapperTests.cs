using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.PseudoLabels;

namespace Ulast.Tests.Tracker;

public class BoxSnapperTests
{
    /// <summary>A flat red 40×40 square on a textured green-blue background: flow would box only its middle.</summary>
    private static Mat Scene()
    {
        var img = new Mat(120, 160, MatType.CV_8UC3);
        Cv2.SetTheRNG(0xFFFFFFFF);   // OpenCV's generator is per thread, moved by earlier tests on it: its initial state, in any test order
        Cv2.Randu(img, new Scalar(60, 90, 0), new Scalar(160, 200, 40));
        Cv2.Rectangle(img, new Rect(60, 40, 40, 40), new Scalar(20, 20, 230), -1);
        return img;
    }

    [Fact]
    public void ABoxInsideAFlatObjectGrowsToTheObject()
    {
        using var img = Scene();
        var truth = new BoxF(60, 40, 40, 40);
        // The window (box grown by half a side each way) must reach past the object for GrabCut to see background.
        var core = new BoxF(67, 47, 26, 26);
        Assert.True(core.Iou(truth) < 0.45);
        var snapped = BoxSnapper.Snap(img, core, new PseudoLabelConfig());
        Assert.True(snapped.Iou(truth) > 0.85, $"snapped {snapped}, IoU {snapped.Iou(truth):F3}");
    }

    [Fact]
    public void ABoxAlreadyOnTheObjectStaysThere()
    {
        using var img = Scene();
        var truth = new BoxF(60, 40, 40, 40);
        var loose = new BoxF(56, 37, 47, 46);
        var snapped = BoxSnapper.Snap(img, loose, new PseudoLabelConfig());
        Assert.True(snapped.Iou(truth) > 0.85, $"snapped {snapped}");
    }

    [Fact]
    public void ASnapThatChangesTheAreaTooMuchIsUndone()
    {
        using var img = Scene();
        var core = new BoxF(67, 47, 26, 26);
        // The object is 2.4× the core's area: allowed at 3×, undone at 2×.
        Assert.NotEqual(core, BoxSnapper.Snap(img, core, new PseudoLabelConfig { SnapMaxAreaChange = 3f }));
        Assert.Equal(core, BoxSnapper.Snap(img, core, new PseudoLabelConfig { SnapMaxAreaChange = 2f }));
        // A box filling the frame leaves GrabCut no background to learn from: kept as it is.
        var whole = new BoxF(1, 1, 158, 118);
        Assert.Equal(whole, BoxSnapper.Snap(img, whole, new PseudoLabelConfig()));
    }

    [Fact]
    public void TheOracleIsTheBestCandidateOfEachLabelledFrame()
    {
        var truth = new List<BoxF> { new(0, 0, 10, 10), new(0, 0, 10, 10), new(0, 0, 10, 10) };
        var labels = new VideoLabels
        {
            Source = "s", Frames = 3, Width = 50, Height = 50, Quality = new float[3], Segments = Array.Empty<int[]>(),
            Boxes = new float[]?[] { new float[] { 20, 20, 10, 10 }, null, new float[] { 20, 20, 10, 10 } },
        };
        var seen = new List<(int, IReadOnlyList<Candidate>)>
        {
            (0, new List<Candidate> { new(new BoxF(20, 20, 10, 10), 0.9f), new(new BoxF(0, 0, 10, 10), 0.1f) }),   // best IoU 1
            (2, new List<Candidate> { new(new BoxF(5, 0, 10, 10), 0.5f) }),                                      // IoU 1/3
        };
        var q = PseudoQuality.Measure("s", labels, truth, seen);
        Assert.Equal(0.0, q.MeanIou, 6);
        Assert.Equal((1 + 1 / 3.0) / 2, q.OracleIou, 6);
        Assert.Equal(0.5, q.OracleAbove05, 6);
        Assert.Equal(2, q.OracleFrames);
        Assert.True(double.IsNaN(PseudoQuality.Measure("s", labels, truth).OracleIou));
    }
}
