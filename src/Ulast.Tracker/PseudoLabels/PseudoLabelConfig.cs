namespace Ulast.Tracker;

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
    public float MinAreaFraction { get; init; } = 0.002f;
    public float MaxAreaFraction { get; init; } = 0.4f;
    public float MaxAspect { get; init; } = 6f;
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
}
