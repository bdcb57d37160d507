namespace Ulast.Tracker;

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

    public static BoxF FromCentre(float cx, float cy, float w, float h) => new(cx - w / 2, cy - h / 2, w, h);

    public double Iou(BoxF o)
    {
        double iw = Math.Max(0, Math.Min(Right, o.Right) - Math.Max(X, o.X));
        double ih = Math.Max(0, Math.Min(Bottom, o.Bottom) - Math.Max(Y, o.Y));
        double inter = iw * ih, union = (double)W * H + (double)o.W * o.H - inter;
        return union > 0 ? inter / union : 0;
    }

    public BoxF Shift(float dx, float dy) => this with { X = X + dx, Y = Y + dy };

    public override string ToString() => FormattableString.Invariant($"{X:0.###},{Y:0.###},{W:0.###},{H:0.###}");
}
