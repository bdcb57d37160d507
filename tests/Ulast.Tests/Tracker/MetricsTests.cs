using Ulast.Tracker.Data;
using Ulast.Tracker.Evaluation;

namespace Ulast.Tests.Tracker;

public class MetricsTests
{
    [Fact]
    public void HandComputedSequence()
    {
        var truth = new List<BoxF> { new(0, 0, 10, 10), new(0, 0, 10, 10), BoxF.Invalid, new(10, 10, 20, 20), new(0, 0, 10, 10) };
        var pred = new List<BoxF> { new(0, 0, 10, 10), new(5, 0, 10, 10), new(3, 3, 3, 3), new(40, 40, 20, 20), new(25, 0, 10, 10) };
        // IoUs over the 4 valid frames: 1, 50/150 = 1/3, 0 (disjoint), 0; centre errors 0, 5, 30·√2, 25.
        var r = SequenceResult.From("s", pred, truth, seconds: 2, trackedFrames: 4);
        Assert.Equal(4, r.Frames);
        Assert.Equal(0.5, r.SuccessCurve[0]);                 // IoU > 0: frames 1 and 2 of 4
        Assert.Equal(0.5, r.SuccessCurve[1]);                 // > 0.05: IoU 1 and 1/3
        Assert.Equal(0.5, r.SuccessCurve[6]);                 // > 0.30
        Assert.Equal(0.25, r.SuccessCurve[7]);                // > 0.35: only IoU 1
        Assert.Equal(0.0, r.SuccessCurve[20]);                // > 1: none
        Assert.Equal(0.5, r.Precision);                       // ≤ 20 px: 0 and 5
        Assert.Equal(2.0, r.Fps);
        // AUC = mean of the 21-point curve: thresholds 0..0.30 (7 points) at 0.5, 0.35..0.95 (13) at 0.25, 1.0 at 0.
        Assert.Equal((7 * 0.5 + 13 * 0.25) / 21, r.Auc, 10);
    }

    [Fact]
    public void SuccessAtZeroCountsOnlyOverlappingFrames()
    {
        var truth = new List<BoxF> { new(0, 0, 10, 10), new(0, 0, 10, 10) };
        var pred = new List<BoxF> { new(0, 0, 10, 10), new(50, 50, 10, 10) };
        Assert.Equal(0.5, SequenceResult.From("s", pred, truth, 1, 1).SuccessCurve[0]);
    }

    [Fact]
    public void NormalisedPrecisionScalesByTheTargetSize()
    {
        var truth = new List<BoxF> { new(0, 0, 100, 100) };
        var pred = new List<BoxF> { new(10, 0, 100, 100) };   // centre error 10 px = 0.1 of the width
        var r = SequenceResult.From("s", pred, truth, 1, 1);
        Assert.Equal(0.0, r.NormCurve[9]);    // ≤ 0.09
        Assert.Equal(1.0, r.NormCurve[10]);   // ≤ 0.10
        Assert.Equal(41.0 / 51, r.NormPrecision, 10);
    }

    [Fact]
    public void BoxIou()
    {
        Assert.Equal(1.0 / 3, new BoxF(0, 0, 10, 10).Iou(new BoxF(5, 0, 10, 10)), 10);
        Assert.Equal(0.0, new BoxF(0, 0, 10, 10).Iou(new BoxF(10, 0, 10, 10)));
        Assert.False(new BoxF(0, 0, 0, 5).IsValid);
        Assert.False(BoxF.Invalid.IsValid);
    }
}
