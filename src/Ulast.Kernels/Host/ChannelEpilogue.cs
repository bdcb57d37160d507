using System.Numerics.Tensors;

namespace Ulast.Kernels.Host;

/// <summary>
/// y[c] ← y[c]·scale[c] + shift[c], then max(·, 0) when <see cref="Relu"/>: an evaluation-mode BatchNorm (and ReLU) applied
/// to one image's output planes. The BatchNorm host path is this without the ReLU, and the ReLU host path is the same
/// max with 0, so the fused inference equals the separate ops to the bit.
/// </summary>
public sealed unsafe class ChannelEpilogue
{
    private readonly float[] _scale, _shift;

    public ChannelEpilogue(float[] scale, float[] shift, bool relu)
    {
        if (scale.Length != shift.Length) throw new ArgumentException("ChannelEpilogue: scale and shift differ in length.");
        _scale = scale; _shift = shift; Relu = relu;
    }

    public bool Relu { get; }

    /// <summary>BatchNorm's evaluation constants: scale = γ / √(var + ε), shift = β − mean·scale (as the host path computes them).</summary>
    public static ChannelEpilogue FromBatchNorm(float* gamma, float* beta, float* mean, float* var, int channels, float eps, bool relu)
    {
        var scale = new float[channels];
        var shift = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            scale[c] = gamma[c] / MathF.Sqrt(var[c] + eps);
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return new ChannelEpilogue(scale, shift, relu);
    }

    /// <summary>Applies it in place to one image's output, [channels, plane].</summary>
    public void Apply(float* y, int channels, int plane) => Apply(y, y, channels, plane);

    /// <summary>Applies it in place to elements [start, start + count) of every channel's plane of one image's output.</summary>
    public void Apply(float* y, int channels, int plane, int start, int count) => ApplyRows(y + start, y + start, channels, plane, count);

    /// <summary>y = epilogue(x) for one image, [channels, plane] each (x and y may be the same).</summary>
    public void Apply(float* x, float* y, int channels, int plane) => ApplyRows(x, y, channels, plane, plane);

    /// <summary>The first <paramref name="count"/> elements of every channel's plane (planes <paramref name="plane"/> apart).</summary>
    private void ApplyRows(float* x, float* y, int channels, int plane, int count)
    {
        if (channels != _scale.Length) throw new ArgumentException($"ChannelEpilogue: {channels} channels, made for {_scale.Length}.");
        for (int c = 0; c < channels; c++)
        {
            var row = new Span<float>(y + (long)c * plane, count);
            TensorPrimitives.Multiply(new ReadOnlySpan<float>(x + (long)c * plane, count), _scale[c], row);
            TensorPrimitives.Add(row, _shift[c], row);
            if (Relu) TensorPrimitives.Max(row, 0f, row);
        }
    }
}
