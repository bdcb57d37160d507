using Ulast.Tracker.Anchors;

namespace Ulast.Tracker.Tracking;

/// <summary>The anchor SiamRPN++'s post-processing chose: its index, its mixed score, its scale/ratio penalty and its raw score.</summary>
public readonly record struct AnchorChoice(int Index, float Mixed, float Penalty, float Raw);

/// <summary>
/// SiamRPN++'s post-processing, in one place for the tracker and for the training cycle's step from one frame to the next:
/// the anchor with the best score × scale/ratio penalty mixed with a cosine window (<see cref="Pick"/>), then the box moved
/// to it with its size smoothed at a rate of penalty × score × lr and clipped to the frame (<see cref="Step"/>).
/// </summary>
public sealed class SiamesePostProcessing
{
    public SiamesePostProcessing(TrackerConfig config, AnchorConfig anchors)
    {
        Config = config;
        Window = CosineWindow(anchors);
    }

    public TrackerConfig Config { get; }
    /// <summary>The Hann window over the score map, one value per anchor.</summary>
    public float[] Window { get; }

    /// <summary>The outer product of two Hann windows across the score map, repeated for every anchor of a cell.</summary>
    public static float[] CosineWindow(AnchorConfig anchors)
    {
        int n = anchors.ScoreSize;
        var hann = Enumerable.Range(0, n).Select(i => 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / (n - 1))).ToArray();
        var window = new float[anchors.Count];
        for (int k = 0; k < window.Length; k++) { int q = k % (n * n); window[k] = (float)(hann[q / n] * hann[q % n]); }
        return window;
    }

    private static float Change(float r) => MathF.Max(r, 1f / r);

    private static float SizeWithPad(float w, float h)
    {
        float pad = (w + h) * 0.5f;
        return MathF.Sqrt((w + pad) * (h + pad));
    }

    /// <summary>
    /// The best anchor for a target of <paramref name="targetW"/> × <paramref name="targetH"/> frame pixels, with
    /// <paramref name="scale"/> crop pixels per frame pixel; <paramref name="boxes"/> are decoded (cx, cy, w, h) in crop pixels.
    /// </summary>
    public AnchorChoice Pick(ReadOnlySpan<float> scores, ReadOnlySpan<float> boxes, float targetW, float targetH, float scale, float windowInfluence)
    {
        float targetSz = SizeWithPad(targetW * scale, targetH * scale), targetRatio = targetW / targetH;
        int best = 0;
        float bestScore = float.NegativeInfinity, bestPenalty = 1f, bestRaw = 0f;
        for (int i = 0; i < scores.Length; i++)
        {
            float score = scores[i];
            float w = boxes[i * 4 + 2], h = boxes[i * 4 + 3];
            float sc = Change(SizeWithPad(w, h) / targetSz), rc = Change(targetRatio / (w / h));
            float penalty = MathF.Exp(-(rc * sc - 1f) * Config.PenaltyK);
            float p = penalty * score * (1f - windowInfluence) + Window[i] * windowInfluence;
            if (p > bestScore) { bestScore = p; best = i; bestPenalty = penalty; bestRaw = score; }
        }
        return new AnchorChoice(best, bestScore, bestPenalty, bestRaw);
    }

    /// <summary>
    /// The target's next centre and size (frame pixels) from the current ones and the chosen box (centre and size in frame
    /// pixels): the centre moves there, the size moves at penalty × score × lr (with KeepAspect only its scale), both clipped
    /// to a <paramref name="frameW"/> × <paramref name="frameH"/> frame with sides of at least MinSize.
    /// </summary>
    public (float Cx, float Cy, float W, float H) Step(float w, float h, float boxCx, float boxCy, float boxW, float boxH, AnchorChoice choice, int frameW, int frameH)
    {
        if (Config.KeepAspect)
        {
            float s = MathF.Sqrt(boxW * boxH / (w * h));
            (boxW, boxH) = (w * s, h * s);
        }
        float lr = choice.Penalty * choice.Raw * Config.Lr;
        return (Math.Clamp(boxCx, 0, frameW), Math.Clamp(boxCy, 0, frameH),
            Math.Clamp(w * (1 - lr) + boxW * lr, MathF.Min(Config.MinSize, frameW), frameW),
            Math.Clamp(h * (1 - lr) + boxH * lr, MathF.Min(Config.MinSize, frameH), frameH));
    }
}
