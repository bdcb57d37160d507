using Ulast.Tracker.Model;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// [ours] The discriminative filter (<see cref="DiscriminativeFilter"/>) learned online on the search features:
/// s = (1 − β)·p + β·r for every anchor (a cell's response goes to each of its anchors), the response's refined peak near
/// the chosen anchor as the centre (weight α), and a new sample every few frames.
/// </summary>
public sealed class FilterStage : ITrackerStage
{
    private readonly SiameseRpn _model;
    private readonly DiscriminativeFilter _filter;

    public FilterStage(SiameseRpn model, FilterConfig config)
    {
        _model = model;
        _filter = new DiscriminativeFilter(model.Device, config, model.Config.Channels, model.Config.Anchors);
    }

    public FilterConfig Config => _filter.Config;

    /// <summary>The filter's first samples: the search crop on the initial box and, with InitShifts, four crops moved by two cells.</summary>
    public void Init(TrackFrame f)
    {
        _filter.Reset();
        var c = _model.Config;
        float sx = f.SearchSide, scale = c.SearchSize / sx;
        float centre = c.Anchors.Centre, d = 2f * c.Anchors.Stride;
        var shifts = new List<(float dx, float dy)> { (0, 0) };
        if (Config.InitShifts == 4) shifts.AddRange(new[] { (d, 0f), (-d, 0f), (0f, d), (0f, -d) });
        foreach (var (dx, dy) in shifts)
        {
            // The window moves by (dx, dy) crop pixels, so the target sits that much the other way in the crop.
            using var scope = new TensorScope();
            using var ng = GradMode.NoGrad();
            var x = SiamCrop.Crop(_model.Device, f.Image, f.Cx + dx / scale, f.Cy + dy / scale, sx, c.SearchSize, f.MeanColour);
            _filter.Add(_model.SearchFeatures(x)[0], centre - dx, centre - dy, first: true);
        }
        _filter.Learn(Config.InitIterations);
    }

    public void Score(TrackFrame f)
    {
        var response = _filter.Response(f.Features[0]);
        float beta = Config.Weight;
        for (int i = 0; i < f.Scores.Length; i++) f.Scores[i] = (1 - beta) * f.Scores[i] + beta * response[i % response.Length];
        f.Response = response;
    }

    public (float X, float Y) Centre(TrackFrame f, float x, float y)
    {
        float alpha = Config.PositionWeight;
        if (alpha <= 0 || f.Response is null) return (x, y);
        var (rx, ry) = ResponsePeak.Near(f.Response, f.Choice.Index, _model.Config.Anchors);
        return ((1 - alpha) * x + alpha * rx, (1 - alpha) * y + alpha * ry);
    }

    /// <summary>Every UpdateInterval frames, a frame scoring at least MinScore becomes a sample at the tracked centre.</summary>
    public void Learn(TrackFrame f)
    {
        if (f.Index % Config.UpdateInterval != 0 || f.Score < Config.MinScore) return;
        float centre = _model.Config.Anchors.Centre;
        _filter.Add(f.Features[0], centre + (f.Cx - f.PreviousCx) * f.ScaleZ, centre + (f.Cy - f.PreviousCy) * f.ScaleZ, first: false);
        _filter.Learn(Config.UpdateIterations);
    }

    public void Dispose() => _filter.Dispose();
}
