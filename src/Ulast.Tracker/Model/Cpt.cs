using Ulast.Autograd.Modules;

namespace Ulast.Tracker.Model;

/// <summary>
/// Attention between token grids with 1×1 projections:
/// softmax((W_q Q)ᵀ(W_k S) / √C) applied to W_v S, returned on Q's grid. Q [B,C,h,w], S [B,C,H,W] → [B,C,h,w].
/// </summary>
public sealed class TokenAttention : Module
{
    public TokenAttention(Device device, int channels, Random rng)
    {
        Channels = channels;
        Query = RegisterModule("q", new Conv2d(device, channels, channels, 1, rng: rng));
        Key = RegisterModule("k", new Conv2d(device, channels, channels, 1, rng: rng));
        Value = RegisterModule("v", new Conv2d(device, channels, channels, 1, rng: rng));
    }

    public int Channels { get; }
    public Conv2d Query { get; }
    public Conv2d Key { get; }
    public Conv2d Value { get; }

    public Tensor Forward(Tensor query, Tensor source)
    {
        int b = query.Shape[0], c = Channels, h = query.Shape[2], w = query.Shape[3];
        int n = source.Shape[2] * source.Shape[3];
        var q = Query.Forward(query).Reshape(b, c, h * w);
        var k = Key.Forward(source).Reshape(b, c, n);
        var v = Value.Forward(source).Reshape(b, c, n);
        var scores = Ops.MulScalar(Ops.MatMul(q, k, transA: true), 1f / MathF.Sqrt(c));   // [B, hw, N]
        var attention = Ops.Softmax(scores);
        return Ops.MatMul(v, attention, transB: true).Reshape(b, c, h, w);                 // [B, C, hw]
    }
}

/// <summary>
/// Consistency Propagation Transformation (ULAST §6): the next template from the masked search
/// features, asked by the first template (long term) and by the previous template (short term):
/// T_t = h_θ(concat(Attn_S(H_{t−1}, S ⊗ M), Attn_L(T_1, S ⊗ M))), h_θ = conv1×1 + BN + ReLU.
/// <see cref="AddFirstTemplate"/> adds T_1 back as a residual (the paper found that worse; kept for the ablation).
/// </summary>
public sealed class Cpt : Module
{
    public Cpt(Device device, int channels, Random rng, bool addFirstTemplate = false)
    {
        AddFirstTemplate = addFirstTemplate;
        LongTerm = RegisterModule("long", new TokenAttention(device, channels, rng));
        ShortTerm = RegisterModule("short", new TokenAttention(device, channels, rng));
        Fuse = RegisterModule("fuse", new Sequential(new Conv2d(device, 2 * channels, channels, 1, rng: rng), new BatchNorm2d(device, channels), new ReLU()));
    }

    public bool AddFirstTemplate { get; }
    public TokenAttention LongTerm { get; }
    public TokenAttention ShortTerm { get; }
    public Sequential Fuse { get; }

    /// <param name="search">S_t [B,C,H,W].</param>
    /// <param name="mask">M_t [B,H,W] or [B,1,H,W].</param>
    /// <param name="first">T_1 [B,C,h,w].</param>
    /// <param name="previous">H_{t−1} [B,C,h,w].</param>
    public Tensor Forward(Tensor search, Tensor mask, Tensor first, Tensor previous)
    {
        var m = mask.Rank == 4 ? mask : mask.Reshape(mask.Shape[0], 1, mask.Shape[1], mask.Shape[2]);
        var masked = Ops.Mul(search, m);
        var shortTerm = ShortTerm.Forward(previous, masked);
        var longTerm = LongTerm.Forward(first, masked);
        var next = Fuse.Forward(Ops.Concat(shortTerm, longTerm));
        return AddFirstTemplate ? Ops.Add(next, first) : next;
    }
}
