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

    /// <summary>
    /// The elements of <paramref name="full"/> that element <paramref name="i"/> of this (broadcast) shape stands for:
    /// along this shape's size-1 dimensions all of full's, along the others the one at i's index. What a reduction to
    /// this shape sums, and what the gradient of a broadcast operand gathers.
    /// </summary>
    public Region4 RegionIn(int i, Dims4 full)
    {
        int w = i % W, h = i / W % H, c = i / (W * H) % C, n = i / (W * H * C);
        return new Region4(N == 1 ? 0 : n, N == 1 ? full.N : n + 1, C == 1 ? 0 : c, C == 1 ? full.C : c + 1,
                           H == 1 ? 0 : h, H == 1 ? full.H : h + 1, W == 1 ? 0 : w, W == 1 ? full.W : w + 1);
    }

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

/// <summary>A box of a 4-d index space, [N0, N1) × [C0, C1) × [H0, H1) × [W0, W1); see <see cref="Dims4.RegionIn"/>.</summary>
public readonly struct Region4
{
    public readonly int N0, N1, C0, C1, H0, H1, W0, W1;

    public Region4(int n0, int n1, int c0, int c1, int h0, int h1, int w0, int w1)
    {
        N0 = n0; N1 = n1; C0 = c0; C1 = c1; H0 = h0; H1 = h1; W0 = w0; W1 = w1;
    }
}
