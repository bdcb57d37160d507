using OpenCvSharp;
using Ulast.Tracker.Model;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// What the tracker knows of the frame at hand, handed to each <see cref="ITrackerStage"/> in turn: the frame, the target's
/// box (centre and size in frame pixels, updated as the frame goes on), the search crop's scale, and — once the Siamese
/// head has run — the search features, every anchor's score and box, and the anchor chosen.
/// </summary>
public sealed class TrackFrame
{
    public required Mat Image { get; init; }
    /// <summary>Frames tracked before this one (0 at Init).</summary>
    public required int Index { get; init; }
    /// <summary>The sequence's mean colour, padding crops that leave the frame.</summary>
    public required float[] MeanColour { get; init; }
    public float Cx { get; set; }
    public float Cy { get; set; }
    public float W { get; set; }
    public float H { get; set; }
    /// <summary>Crop pixels per frame pixel, and the search crop's side in frame pixels.</summary>
    public float ScaleZ { get; init; }
    public float SearchSide { get; init; }
    /// <summary>At Init: the template crop's neck features, one tensor per level.</summary>
    public Tensor[] TemplateFeatures { get; init; } = Array.Empty<Tensor>();
    /// <summary>The search crop's neck features, one tensor per level [1,C,31,31], and the head's halves of them.</summary>
    public Tensor[] Features { get; set; } = Array.Empty<Tensor>();
    public SearchHalves? Halves { get; set; }
    /// <summary>Every anchor's score (probabilities, mixed in place by the stages) and box deltas.</summary>
    public float[] Scores { get; set; } = Array.Empty<float>();
    public Tensor? Loc { get; set; }
    /// <summary>[ours] A stage's response on the score map (the discriminative filter's), for the centre and the lost signal.</summary>
    public float[]? Response { get; set; }
    /// <summary>Every anchor's decoded box (cx, cy, w, h in crop pixels), as a tensor [1,K,4] and on the host, and the one chosen.</summary>
    public Tensor? Decoded { get; set; }
    public float[] Boxes { get; set; } = Array.Empty<float>();
    public AnchorChoice Choice { get; set; }
    /// <summary>The chosen anchor's score: the tracker's confidence in this frame.</summary>
    public float Score => Choice.Raw;
    /// <summary>The target's centre in the frame before (the box this frame started from).</summary>
    public float PreviousCx { get; init; }
    public float PreviousCy { get; init; }
    /// <summary>[ours] The target is lost in this frame: a lost frame scores only the template's response and learns nothing.</summary>
    public bool Lost { get; init; }
}
