namespace Ulast.Kernels;

/// <summary>A 4-d NCHW shape passed to kernels by value. Size-1 dimensions broadcast.</summary>
public readonly struct Dims4
{
    public readonly int N, C, H, W;

    public Dims4(int n, int c, int h, int w) { N = n; C = c; H = h; W = w; }

    public int Size => N * C * H * W;

    /// <summary>Offset of (n, c, h, w) in this shape, reading size-1 dimensions as broadcast.</summary>
    public int Broadcast(int n, int c, int h, int w) =>
        (((N == 1 ? 0 : n) * C + (C == 1 ? 0 : c)) * H + (H == 1 ? 0 : h)) * W + (W == 1 ? 0 : w);

    /// <summary>Shape padded on the left with ones to four dimensions.</summary>
    public static Dims4 From(ReadOnlySpan<int> shape)
    {
        if (shape.Length > 4) throw new ArgumentException($"At most 4 dimensions are supported, got {shape.Length}.");
        Span<int> d = stackalloc int[4] { 1, 1, 1, 1 };
        for (int i = 0; i < shape.Length; i++) d[4 - shape.Length + i] = shape[i];
        return new Dims4(d[0], d[1], d[2], d[3]);
    }

    public override string ToString() => $"[{N},{C},{H},{W}]";
}
