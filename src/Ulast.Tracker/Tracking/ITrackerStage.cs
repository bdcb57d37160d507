namespace Ulast.Tracker.Tracking;

/// <summary>
/// A stage of the tracker beside the Siamese response, called at fixed points of a frame (<see cref="SiamRpnTracker"/>):
/// <see cref="Score"/> mixes its own response into the anchors' scores; after the anchor choice <see cref="Centre"/> may
/// move the box's centre and, after SiamRPN++'s step, <see cref="Size"/> its size; <see cref="Learn"/> learns from the
/// frame once its box is final. A new stage is its settings record, a class implementing this, and a line in
/// <see cref="TrackerSettings.CreateStages"/> and in each preset that runs it.
/// </summary>
public interface ITrackerStage : IDisposable
{
    /// <summary>The first frame, with the target's box.</summary>
    void Init(TrackFrame f) { }
    /// <summary>Mixes into <see cref="TrackFrame.Scores"/> (and may replace <see cref="TrackFrame.Loc"/>).</summary>
    void Score(TrackFrame f) { }
    /// <summary>The chosen anchor's centre (crop pixels), refined; called before the step moves the box there.</summary>
    (float X, float Y) Centre(TrackFrame f, float x, float y) => (x, y);
    /// <summary>After the step: may set the box's size.</summary>
    void Size(TrackFrame f) { }
    /// <summary>After the box is final and the target not lost.</summary>
    void Learn(TrackFrame f) { }
}
