using Ulast.Tracker.Data;

namespace Ulast.Tracker.PseudoLabels;

/// <summary>A candidate box of one frame (full-resolution pixels) with its score in [0, 1].</summary>
public readonly record struct Candidate(BoxF Box, float Score);
