using Ulast.Tracker.Anchors;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// [ours] A filter w [1,C,k,k] over search features X [1,C,31,31] whose response conv(X, w) [1,1,25,25] peaks on the
/// target: the ridge regression
///   L(w) = Σ_j α_j · mean over cells (conv(X_j, w) − Y_j)² + λ‖w‖²,
/// Y_j a Gaussian of σ cells on sample j's target centre, solved by steepest descent with the exact step of a quadratic,
/// t = gᵀg / (2(Σ_j α_j/P ‖conv(X_j, g)‖² + λ gᵀg)) — DiMP's optimiser without its learned parts (conjugate directions
/// with <see cref="FilterConfig.ConjugateGradient"/>). X is the search features, or with <see cref="FilterConfig.Channels"/>
/// their leading principal directions (<see cref="FeatureProjection"/>). Every number runs through the project's ops: the
/// gradient 2·Aᵀ(s·r) + 2λw through the cross-correlation's kernel gradient (the adjoint of A = conv(X, ·)), the residual r
/// kept up to date as w moves. See <see cref="FilterConfig"/>.
/// </summary>
public sealed class DiscriminativeFilter : IDisposable
{
    private readonly Device _dev;
    private readonly FilterConfig _cfg;
    private readonly AnchorConfig _anchors;
    private readonly Tensor _w, _ones;
    private readonly int _inChannels;
    private Tensor? _projection;   // [k, C, 1, 1], fitted on the first sample after a reset (FilterConfig.Channels)
    private readonly List<Sample> _samples = new();
    private int _added;

    private sealed record Sample(Tensor Features, float[] Label, int Index, bool First) : IDisposable
    {
        public void Dispose() => Features.Dispose();
    }

    public DiscriminativeFilter(Device device, FilterConfig config, int channels, AnchorConfig anchors)
    {
        config.Validate();
        _dev = device;
        _cfg = config;
        _anchors = anchors;
        _inChannels = channels;
        int k = config.Channels > 0 ? Math.Min(config.Channels, channels) : channels;
        _w = Tensor.EmptyPersistent(device, 1, k, config.Size, config.Size);
        _w.Fill(0f);
        _ones = Tensor.EmptyPersistent(device, 1, k, 1, 1);
        _ones.Fill(1f);
    }

    public int SampleCount => _samples.Count;
    public FilterConfig Config => _cfg;

    /// <summary>Forgets every sample and zeroes the filter (a new target).</summary>
    public void Reset()
    {
        foreach (var s in _samples) s.Dispose();
        _samples.Clear();
        _added = 0;
        _w.Fill(0f);
        _projection?.Dispose();
        _projection = null;
    }

    /// <summary>Channels the filter learns on: the features' own, or FilterConfig.Channels principal directions of them.</summary>
    public int FilterChannels => _w.Shape[1];

    /// <summary>The features as the filter sees them: projected on the fitted principal directions when there are fewer.</summary>
    private Tensor Project(Tensor features)
    {
        if (FilterChannels == _inChannels) return features;
        if (_projection is null)
        {
            var rows = FeatureProjection.Fit(features.ToArray(), _inChannels, FilterChannels);
            _projection = Tensor.PersistentFromArray(_dev, rows, FilterChannels, _inChannels, 1, 1);
        }
        return Ops.Conv2d(features, _projection);
    }

    /// <summary>The Gaussian label on the score map for a target centred at (tx, ty) in search-crop pixels.</summary>
    public float[] Label(float tx, float ty)
    {
        int n = _anchors.ScoreSize, half = n / 2;
        float s = _cfg.Sigma * _anchors.Stride;
        var y = new float[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                float dx = _anchors.Centre + _anchors.Stride * (j - half) - tx, dy = _anchors.Centre + _anchors.Stride * (i - half) - ty;
                y[i * n + j] = MathF.Exp(-(dx * dx + dy * dy) / (2 * s * s));
            }
        return y;
    }

    /// <summary>Adds search features [1,C,H,W] (copied) with the target at (tx, ty) in crop pixels; the oldest non-first sample leaves when full.</summary>
    public void Add(Tensor features, float tx, float ty, bool first)
    {
        if (features.Rank != 4 || features.Shape[0] != 1 || features.Shape[1] != _inChannels)
            throw new ArgumentException($"The filter takes search features [1,{_inChannels},H,W], got {features.ShapeString}.");
        if (_samples.Count >= _cfg.Capacity)
        {
            int oldest = _samples.FindIndex(s => !s.First);
            if (oldest < 0) return;
            _samples[oldest].Dispose();
            _samples.RemoveAt(oldest);
        }
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        var seen = Project(features);
        var copy = Tensor.EmptyPersistent(_dev, seen.Shape);
        copy.CopyFrom(seen);
        _samples.Add(new Sample(copy, Label(tx, ty), _added++, first));
    }

    /// <summary>
    /// Sample weights α (sum 1): the first frame's samples share half the weight once later ones exist; later samples
    /// weigh (1 − decay)^age among themselves, newest heaviest.
    /// </summary>
    public double[] Weights()
    {
        var a = new double[_samples.Count];
        int firsts = _samples.Count(s => s.First), newest = _added - 1;   // samples are numbered as they come
        double later = 0;
        for (int j = 0; j < a.Length; j++)
            if (!_samples[j].First) later += a[j] = Math.Pow(1 - _cfg.SampleDecay, newest - _samples[j].Index);
        double firstShare = later > 0 ? 0.5 : 1.0;
        for (int j = 0; j < a.Length; j++)
            a[j] = _samples[j].First ? firstShare / firsts : (1 - firstShare) * a[j] / later;
        return a;
    }

    /// <summary>
    /// Runs <paramref name="iterations"/> steps on the samples, each along its direction with the exact step of the
    /// quadratic: steepest descent, or with <see cref="FilterConfig.ConjugateGradient"/> conjugate directions
    /// (Fletcher–Reeves, restarted at every call since the samples change between calls). Returns the loss before the last step.
    /// </summary>
    public double Learn(int iterations)
    {
        if (_samples.Count == 0 || iterations == 0) return double.NaN;
        int m = _samples.Count, n = _anchors.ScoreSize, cells = n * n;
        var f = _samples[0].Features.Shape;
        double lambda = _cfg.Lambda, last = double.NaN, ggPrev = 0;
        var alpha = Weights();
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        var x = m == 1 ? _samples[0].Features : Ops.Concat(_samples.Select(s => s.Features).ToArray()).Reshape(m, f[1], f[2], f[3]);
        var y = Tensor.FromArray(_dev, _samples.SelectMany(s => s.Label).ToArray(), m, 1, n, n);
        var scale = Tensor.FromArray(_dev, alpha.Select(a => (float)Math.Sqrt(a / cells)).ToArray(), m, 1, 1, 1);
        using var dir = Tensor.EmptyPersistent(_dev, _w.Shape);
        // The weighted residual r = s·(conv(X, w) − Y), moved along with w: conv is linear, so after w += t·d it is
        // r + t·s·conv(X, d), which each step computes anyway for its length. Two passes over the samples per step
        // (Aᵀ for the gradient, A for the step) instead of three (a forward and a backward through the tape, then A).
        var r = Ops.Mul(Ops.Sub(Apply(x, _w), y), scale);
        for (int it = 0; it < iterations; it++)
        {
            using var step = new TensorScope();
            last = Ops.SumAll(Ops.Mul(r, r)).Item() + lambda * Ops.SumAll(Ops.Mul(_w, _w)).Item();
            // ∇L = 2·Aᵀ(s·r) + 2λw
            var g = Ops.Add(Adjoint(x, Ops.MulScalar(Ops.Mul(r, scale), 2f)), Ops.MulScalar(_w, (float)(2 * lambda)));
            double gg = Ops.SumAll(Ops.Mul(g, g)).Item();
            // d = −g, or −g + (gᵀg / g'ᵀg')·d with the previous direction d and gradient g'
            var d = _cfg.ConjugateGradient && it > 0 && ggPrev > 0 ? Ops.Sub(Ops.MulScalar(dir, (float)(gg / ggPrev)), g) : Ops.MulScalar(g, -1f);
            dir.CopyFrom(d);
            ggPrev = gg;
            // along d the loss is quadratic: t = −gᵀd / (2(Σ α/P ‖conv(X, d)‖² + λ dᵀd))
            var ad = Ops.Mul(Apply(x, dir), scale);
            double gd = Ops.SumAll(Ops.Mul(g, dir)).Item(), dd = Ops.SumAll(Ops.Mul(dir, dir)).Item(), adad = Ops.SumAll(Ops.Mul(ad, ad)).Item();
            double den = 2 * (adad + lambda * dd), t = -gd / den;
            if (gd < 0 && den > 0 && double.IsFinite(t))
            {
                _w.AddScaled(dir, (float)t);
                r.AddScaled(ad, (float)t);
            }
        }
        return last;
    }

    /// <summary>
    /// Aᵀu for u [M,1,H′,W′]: the adjoint of <see cref="Apply"/> in its filter — u spread over the channels (the channel
    /// sum's adjoint), the cross-correlation's kernel gradient per sample, summed over the samples → [1,C,k,k].
    /// </summary>
    private Tensor Adjoint(Tensor x, Tensor u)
    {
        int m = x.Shape[0], k = _w.Shape[1];
        var spread = Ops.Add(Tensor.Zeros(x.Device, m, k, u.Shape[2], u.Shape[3]), u);
        var perSample = Ops.DepthwiseXcorrKernelGradient(x, spread, _w.Shape[2], _w.Shape[3]);
        return m == 1 ? perSample : Ops.Sum(perSample, new[] { 0 }, keepDim: true);
    }

    /// <summary>The response conv(X, w) on the score map, row-major [ScoreSize²], for search features [1,C,31,31].</summary>
    public float[] Response(Tensor features)
    {
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        return Apply(Project(features), _w).ToArray();
    }

    /// <summary>
    /// conv(X, w) for X [M,C,H,W] and one filter w [1,C,k,k] → [M,1,H−k+1,W−k+1], as the depthwise cross-correlation
    /// summed over channels: the same sum as a one-output convolution, without its im2col of C·k² rows per cell. The
    /// channel sum is a 1×1 convolution by ones (a GEMM; the general reduction took longer than the rest of the frame).
    /// </summary>
    private Tensor Apply(Tensor x, Tensor w)
    {
        int m = x.Shape[0];
        var kernel = m == 1 ? w : Ops.Add(Tensor.Zeros(x.Device, m, w.Shape[1], w.Shape[2], w.Shape[3]), w);
        return Ops.Conv2d(Ops.DepthwiseXcorr(x, kernel), _ones);
    }

    /// <summary>A copy of the filter's weights.</summary>
    public float[] FilterWeights() => _w.ToArray();

    public void Dispose()
    {
        foreach (var s in _samples) s.Dispose();
        _samples.Clear();
        _w.Dispose();
        _ones.Dispose();
        _projection?.Dispose();
    }
}
