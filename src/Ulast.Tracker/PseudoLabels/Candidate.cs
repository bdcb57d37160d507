namespace Ulast.Tracker;

/// <summary>A candidate box of one frame (full-resolution pixels) with its score in [0, 1].</summary>
public readonly record struct Candidate(BoxF Box, float Score);
