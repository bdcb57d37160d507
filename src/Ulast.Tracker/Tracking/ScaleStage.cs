using OpenCvSharp;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// [ours] DSST's scale filter (<see cref="ScaleFilter"/>) sets the box's size at the tracked centre, with the first box's
/// aspect ratio (or the regression's), then learns there.
/// </summary>
public sealed class ScaleStage : ITrackerStage
{
    private readonly ScaleFilter _scale;
    private readonly float _minSize;
    private readonly Mat _grey = new();

    public ScaleStage(ScaleConfig config, float minSize)
    {
        _scale = new ScaleFilter(config);
        _minSize = minSize;
    }

    public void Init(TrackFrame f) => _scale.Init(Grey(f.Image), f.Cx, f.Cy, f.W, f.H);

    public void Size(TrackFrame f)
    {
        var grey = Grey(f.Image);
        float scale = _scale.Estimate(grey, f.Cx, f.Cy);
        // The regression's aspect (the step has just smoothed the size towards it) or the first box's.
        float w0 = _scale.BaseWidth, h0 = _scale.BaseHeight;
        float aspect = _scale.Config.RegressedAspect ? f.W / f.H : w0 / h0, area = w0 * h0 * scale * scale;
        int width = f.Image.Width, height = f.Image.Height;
        f.W = Math.Clamp(MathF.Sqrt(area * aspect), MathF.Min(_minSize, width), width);
        f.H = Math.Clamp(MathF.Sqrt(area / aspect), MathF.Min(_minSize, height), height);
        if (f.Score >= _scale.Config.MinScore) _scale.Update(grey, f.Cx, f.Cy);
    }

    private Mat Grey(Mat frame)
    {
        if (frame.Channels() == 1) return frame;
        Cv2.CvtColor(frame, _grey, frame.Channels() == 4 ? ColorConversionCodes.BGRA2GRAY : ColorConversionCodes.BGR2GRAY);
        return _grey;
    }

    public void Dispose() => _grey.Dispose();
}
