using Ulast.Tracker.IO;

namespace Ulast.Tracker.PseudoLabels;

/// <summary>Parameters of the motion-based pseudo labeller (ULAST §3, USOT's recipe with [ours] choices).</summary>
public sealed record PseudoLabelConfig
{
    /// <summary>Frames are downscaled so their longer side is at most this many pixels before flow.</summary>
    public int FlowSize { get; init; } = 384;
    /// <summary>Label every this-many-th frame from flow; the rest are interpolated.</summary>
    public int Step { get; init; } = 2;
    /// <summary>Frame gap Δ for flow between t−Δ and t+Δ starts here and doubles while motion is too small.</summary>
    public int MinGap { get; init; } = 1;
    public int MaxGap { get; init; } = 8;
    /// <summary>99th-percentile flow magnitude (downscaled pixels) below which Δ is widened.</summary>
    public float MinMotion { get; init; } = 1.5f;
    /// <summary>Saliency thresholds α·mean + (1 − α)·max.</summary>
    public float[] Alphas { get; init; } = { 0.7f, 0.84f };
    public int CandidatesPerFrame { get; init; } = 3;
    /// <summary>Farnebäck's averaging window (pixels of the downscaled frame); small windows keep small objects sharp.</summary>
    public int FlowWindow { get; init; } = 9;
    /// <summary>[ours] Pixels (of the downscaled frame) taken off each side of a box: flow smoothing over the window widens the moving region by about half a window.</summary>
    public float Shrink { get; init; } = 4.5f;
    /// <summary>Gaussian blur of the saliency map (odd; 1 = none).</summary>
    public int SaliencyBlur { get; init; } = 3;
    /// <summary>Morphological closing of the thresholded saliency (odd; 1 = none).</summary>
    public int Closing { get; init; } = 3;
    /// <summary>[ours] Remove camera motion with a RANSAC affine fit to the flow (off: subtract the mean flow only, as USOT).</summary>
    public bool CompensateCamera { get; init; } = true;
    /// <summary>[USOT] Search a frame for boxes only when its motion is peaked: max(D) ≥ this × mean(D) (0 = always).</summary>
    public float MinPeakRatio { get; init; } = 2.5f;
    /// <summary>[USOT] Score factor of the box that holds the saliency peak (1 = none).</summary>
    public float PeakBonus { get; init; } = 2f;
    /// <summary>[USOT] Boxes with a side under this fraction of the frame's side are dropped (0 = none).</summary>
    public float MinSideFraction { get; init; } = 0.02f;
    public float MinAreaFraction { get; init; } = 0.002f;
    public float MaxAreaFraction { get; init; } = 0.4f;
    public float MaxAspect { get; init; } = 6f;
    /// <summary>[ours] Snap each box of the linked path to the object under it with GrabCut on the colour frame (<see cref="BoxSnapper"/>); off: the motion box.</summary>
    public bool SnapBoxes { get; init; } = false;
    /// <summary>The snapping window: the box grown by this fraction of its side on each side.</summary>
    public float SnapMargin { get; init; } = 0.5f;
    /// <summary>The window is resized to at most this many pixels a side before GrabCut (its cost grows with the pixels).</summary>
    public int SnapWindow { get; init; } = 96;
    public int SnapIterations { get; init; } = 3;
    /// <summary>A snap that changes the box's area by more than this factor either way is undone.</summary>
    public float SnapMaxAreaChange { get; init; } = 3f;
    /// <summary>Transition reward: IoU − DistanceWeight·d²/diag², multiplied by NegativeFactor when negative.</summary>
    public float DistanceWeight { get; init; } = 4.1f;
    public float NegativeFactor { get; init; } = 3f;
    /// <summary>Weight of a box's own score against the transitions in the path reward.</summary>
    public float BoxWeight { get; init; } = 1f;
    /// <summary>Frames with quality at least this are reliable.</summary>
    public float ReliableQuality { get; init; } = 0.5f;
    public int MinSegment { get; init; } = 10;
    /// <summary>Videos whose quality is below this are dropped.</summary>
    public float MinVideoQuality { get; init; } = 0.1f;

    private static readonly System.Text.Json.JsonSerializerOptions Strict = new(LabelsFile.Json)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>A settings file; missing keys keep their defaults, anything unusable is a one-line <see cref="BadDataException"/>.</summary>
    public static PseudoLabelConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist.");
        PseudoLabelConfig? c;
        try { c = System.Text.Json.JsonSerializer.Deserialize<PseudoLabelConfig>(File.ReadAllText(path), Strict); }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or ArgumentException)
        {
            throw new BadDataException($"'{path}' is not a valid labeller config: {e.Message}", e);
        }
        if (c is null || c.Alphas is null || c.Alphas.Length == 0) throw new BadDataException($"'{path}' is not a valid labeller config: empty, or no alphas.");
        if (c.Step < 1 || c.FlowSize < 16 || c.MinGap < 1 || c.MaxGap < c.MinGap || c.CandidatesPerFrame < 1 || c.MinSegment < 1
            || c.SnapMargin <= 0 || c.SnapWindow < 16 || c.SnapIterations < 1 || c.SnapMaxAreaChange < 1)
            throw new BadDataException($"'{path}' is not a valid labeller config: a size, gap or count is out of range.");
        return c;
    }
}
