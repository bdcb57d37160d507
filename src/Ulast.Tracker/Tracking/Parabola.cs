using System.Numerics;

namespace Ulast.Tracker.Tracking;

/// <summary>Sub-sample peaks: the vertex of the parabola through three neighbouring samples of a response.</summary>
public static class Parabola
{
    /// <summary>
    /// Offset of the vertex of the parabola through (−1, l), (0, c), (1, r), clamped to half a sample; 0 unless it
    /// opens downwards. Computed in T, so float and double callers each keep their own precision.
    /// </summary>
    public static T Vertex<T>(T l, T c, T r) where T : IFloatingPointIeee754<T>
    {
        T two = T.One + T.One, half = T.One / two;
        T curve = l - two * c + r;
        return curve < T.Zero ? T.Clamp(half * (l - r) / curve, -half, half) : T.Zero;
    }
}
