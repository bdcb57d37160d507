namespace Ulast.Tracker.Data;

/// <summary>An axis-aligned box, 0-based continuous pixel coordinates: top-left (X, Y) and size (W, H).</summary>
public readonly record struct BoxF(float X, float Y, float W, float H)
{
    public static readonly BoxF Invalid = new(float.NaN, float.NaN, float.NaN, float.NaN);

    public float Cx => X + W / 2;
    public float Cy => Y + H / 2;
    public float Right => X + W;
    public float Bottom => Y + H;

    /// <summary>Finite with positive size: a usable ground truth.</summary>
    public bool IsValid => float.IsFinite(X) && float.IsFinite(Y) && float.IsFinite(W) && float.IsFinite(H) && W > 0 && H > 0;

    /// <summary>The smallest frame side tracking starts in (a frame narrower than the tracker's smallest box has no room for it).</summary>
    public const int MinFrameSide = 16;

    /// <summary>
    /// Why this box cannot start tracking in a <paramref name="frameW"/>×<paramref name="frameH"/> frame, or null:
    /// it must be finite, at least a pixel wide and high, no larger than twice the frame, and overlap it.
    /// (A box of 1e30 pixels or of 1e-40 sends the crop's scale to infinity several steps later.)
    /// </summary>
    public string? InitProblem(int frameW, int frameH)
    {
        if (frameW < MinFrameSide || frameH < MinFrameSide) return $"the frame is {frameW}×{frameH} pixels, too small to track in (at least {MinFrameSide}×{MinFrameSide})";
        if (!IsValid) return $"the box {this} is not a box (it needs finite numbers and a positive width and height)";
        if (W < 1 || H < 1) return $"the box {this} is smaller than a pixel";
        if (W > 2f * frameW || H > 2f * frameH) return $"the box {this} is more than twice the {frameW}×{frameH} frame";
        if (Right <= 0 || Bottom <= 0 || X >= frameW || Y >= frameH) return $"the box {this} lies outside the {frameW}×{frameH} frame";
        return null;
    }

    public static BoxF FromCentre(float cx, float cy, float w, float h) => new(cx - w / 2, cy - h / 2, w, h);

    public double Iou(BoxF o)
    {
        double iw = Math.Max(0, Math.Min(Right, o.Right) - Math.Max(X, o.X));
        double ih = Math.Max(0, Math.Min(Bottom, o.Bottom) - Math.Max(Y, o.Y));
        double inter = iw * ih, union = (double)W * H + (double)o.W * o.H - inter;
        return union > 0 ? inter / union : 0;
    }

    public BoxF Shift(float dx, float dy) => this with { X = X + dx, Y = Y + dy };

    public override string ToString() => $"{F(X)},{F(Y)},{F(W)},{F(H)}";

    /// <summary>Three decimals, as ground truth is written; values no box has (1e30, 1e-40) in exponent form, so a message shows them as given.</summary>
    private static string F(float v) =>
        v != 0 && float.IsFinite(v) && (MathF.Abs(v) >= 1e7f || MathF.Abs(v) < 1e-3f)
            ? v.ToString("0.###e0", System.Globalization.CultureInfo.InvariantCulture)
            : v.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}
