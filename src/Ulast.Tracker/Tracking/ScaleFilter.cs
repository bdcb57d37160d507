using System.Runtime.InteropServices;
using OpenCvSharp;

namespace Ulast.Tracker.Tracking;

/// <summary>
/// [ours] DSST's scale filter (<see cref="ScaleConfig"/>). Each sample is a D×S matrix: S patches centred on the target,
/// of the target's size times step^k for k = −(S−1)/2 … (S−1)/2, each resized to one small model shape and described
/// by <see cref="GradientHistogram"/> (D values), weighted by a Hann window over the scales. Per feature row the
/// filter is a ratio of spectra along the scale axis, learned as A = Y·X̄, B = Σ_d |X_d|² (running averages at rate η);
/// the response of a new sample Z is y = IDFT(Σ_d A_d·Z_d / (B + λ)), and its peak (refined by a parabola through the
/// peak and its neighbours) gives the scale change. S is small (33), so the transforms are plain DFTs in double.
/// </summary>
public sealed class ScaleFilter
{
    private readonly ScaleConfig _cfg;
    private readonly double[] _cos, _sin, _window;
    private readonly double[] _labelRe, _labelIm;
    // Spectra are stored scale-frequency-major: [k·D + d].
    private double[] _numRe = Array.Empty<double>(), _numIm = Array.Empty<double>(), _den = Array.Empty<double>();
    private double[] _re = Array.Empty<double>(), _im = Array.Empty<double>();
    private float[] _sample = Array.Empty<float>(), _pixels = Array.Empty<float>();
    private byte[] _row = Array.Empty<byte>();
    private float _w0, _h0, _minScale, _maxScale;
    private int _modelW, _modelH, _dims;

    public ScaleFilter(ScaleConfig config)
    {
        config.Validate();
        _cfg = config;
        int s = config.Count;
        _cos = new double[s * s];
        _sin = new double[s * s];
        for (int k = 0; k < s; k++)
            for (int n = 0; n < s; n++)
            {
                double a = -2 * Math.PI * ((long)k * n % s) / s;
                (_cos[k * s + n], _sin[k * s + n]) = (Math.Cos(a), Math.Sin(a));
            }
        _window = Enumerable.Range(0, s).Select(i => 0.5 - 0.5 * Math.Cos(2 * Math.PI * (i + 1) / (s + 1))).ToArray();
        // Gaussian label peaked at the middle scale (index (S−1)/2), transformed once.
        double sigma = Math.Sqrt(s) * config.SigmaFactor;
        var label = Enumerable.Range(0, s).Select(i => Math.Exp(-0.5 * Math.Pow(i - (s - 1) / 2, 2) / (sigma * sigma))).ToArray();
        (_labelRe, _labelIm) = (new double[s], new double[s]);
        Dft(label, new double[s], _labelRe, _labelIm, inverse: false);
    }

    public ScaleConfig Config => _cfg;
    /// <summary>The first box's size, to which <see cref="Scale"/> is relative.</summary>
    public float BaseWidth => _w0;
    public float BaseHeight => _h0;
    /// <summary>The target's size now, relative to the first box.</summary>
    public float Scale { get; private set; } = 1f;
    /// <summary>Size factor of scale index i: step^((S−1)/2 − i), so index 0 holds the largest patch.</summary>
    public float Factor(int i) => MathF.Pow(_cfg.Step, (_cfg.Count - 1) / 2 - i);

    /// <summary>Starts on <paramref name="grey"/> (8-bit, one channel) with the target (cx, cy, w, h); the scale is 1.</summary>
    public void Init(Mat grey, float cx, float cy, float w, float h)
    {
        (_w0, _h0, Scale) = (w, h, 1f);
        float fit = MathF.Min(1f, MathF.Sqrt(_cfg.ModelArea / (w * h)));
        _modelW = Math.Max(2 * _cfg.Cell, (int)(w * fit));
        _modelH = Math.Max(2 * _cfg.Cell, (int)(h * fit));
        _dims = GradientHistogram.Length(_modelW, _modelH, _cfg.Cell, _cfg.SignedBins);
        // The box stays at least 5 px a side and within the frame (DSST's bounds).
        _minScale = MathF.Max(5f / w, 5f / h);
        _maxScale = MathF.Min(grey.Width / w, grey.Height / h);
        int s = _cfg.Count;
        (_numRe, _numIm, _den) = (new double[_dims * s], new double[_dims * s], new double[s]);
        (_re, _im) = (new double[_dims * s], new double[_dims * s]);
        (_sample, _pixels, _row) = (new float[s * _dims], new float[_modelW * _modelH], new byte[_modelW]);
        Learn(grey, cx, cy, 1.0);
    }

    /// <summary>Finds the scale that best matches the filter around (cx, cy), updates <see cref="Scale"/> and returns it.</summary>
    public float Estimate(Mat grey, float cx, float cy)
    {
        int s = _cfg.Count;
        var (re, im) = Spectrum(grey, cx, cy);
        var sumRe = new double[s];
        var sumIm = new double[s];
        for (int k = 0; k < s; k++)
            for (int d = 0; d < _dims; d++)
            {
                int at = k * _dims + d;
                sumRe[k] += _numRe[at] * re[at] - _numIm[at] * im[at];
                sumIm[k] += _numRe[at] * im[at] + _numIm[at] * re[at];
            }
        for (int k = 0; k < s; k++) { sumRe[k] /= _den[k] + _cfg.Lambda; sumIm[k] /= _den[k] + _cfg.Lambda; }
        var response = new double[s];
        Dft(sumRe, sumIm, response, new double[s], inverse: true);
        int best = 0;
        for (int i = 1; i < s; i++) if (response[i] > response[best]) best = i;
        // A parabola through the peak and its neighbours, in steps of the scale index.
        double offset = best > 0 && best < s - 1 ? Parabola.Vertex(response[best - 1], response[best], response[best + 1]) : 0;
        float change = MathF.Pow(_cfg.Step, (float)((s - 1) / 2 - best - offset));
        Scale = Math.Clamp(Scale * change, _minScale, _maxScale);
        return Scale;
    }

    /// <summary>Adds the sample around (cx, cy) at the current scale at the configured learning rate.</summary>
    public void Update(Mat grey, float cx, float cy) => Learn(grey, cx, cy, _cfg.LearningRate);

    private void Learn(Mat grey, float cx, float cy, double rate)
    {
        int s = _cfg.Count;
        var (re, im) = Spectrum(grey, cx, cy);
        var den = new double[s];
        for (int k = 0; k < s; k++)
            for (int d = 0; d < _dims; d++)
            {
                int at = k * _dims + d;
                // A = Y·X̄ (label times the conjugated sample), B = Σ_d |X_d|².
                double ar = _labelRe[k] * re[at] + _labelIm[k] * im[at];
                double ai = _labelIm[k] * re[at] - _labelRe[k] * im[at];
                _numRe[at] = (1 - rate) * _numRe[at] + rate * ar;
                _numIm[at] = (1 - rate) * _numIm[at] + rate * ai;
                den[k] += re[at] * re[at] + im[at] * im[at];
            }
        for (int k = 0; k < s; k++) _den[k] = (1 - rate) * _den[k] + rate * den[k];
    }

    /// <summary>The sample's spectrum along the scale axis, S frequencies of D values (buffers reused).</summary>
    private (double[] Re, double[] Im) Spectrum(Mat grey, float cx, float cy)
    {
        int s = _cfg.Count, half = s / 2, dims = _dims;
        var sample = Sample(grey, cx, cy);
        var (re, im) = (_re, _im);
        // Rows are real: X[S−k] = conj(X[k]), so only k = 0 … S/2 are summed; the inner loop runs along the features.
        for (int k = 0; k <= half; k++)
        {
            var r = re.AsSpan(k * dims, dims);
            var m = im.AsSpan(k * dims, dims);
            r.Clear();
            m.Clear();
            for (int n = 0; n < s; n++)
            {
                double c = _cos[k * s + n], sn = _sin[k * s + n];
                var x = sample.AsSpan(n * dims, dims);
                for (int d = 0; d < dims; d++) { r[d] += x[d] * c; m[d] += x[d] * sn; }
            }
            if (k == 0) continue;
            var rc = re.AsSpan((s - k) * dims, dims);
            var mc = im.AsSpan((s - k) * dims, dims);
            for (int d = 0; d < dims; d++) { rc[d] = r[d]; mc[d] = -m[d]; }
        }
        return (re, im);
    }

    /// <summary>S feature vectors (scale-major), each weighted by the scale window (a buffer reused by the next call).</summary>
    internal float[] Sample(Mat grey, float cx, float cy)
    {
        int s = _cfg.Count;
        var (sample, pixels, row) = (_sample, _pixels, _row);
        using var patch = new Mat();
        using var resized = new Mat();
        for (int i = 0; i < s; i++)
        {
            float f = Scale * Factor(i);
            int pw = Math.Max(2, (int)MathF.Round(_w0 * f)), ph = Math.Max(2, (int)MathF.Round(_h0 * f));
            // Border pixels are repeated where the patch leaves the frame.
            Cv2.GetRectSubPix(grey, new Size(pw, ph), new Point2f(cx, cy), patch);
            var interpolation = pw * ph > _modelW * _modelH ? InterpolationFlags.Area : InterpolationFlags.Linear;
            Cv2.Resize(patch, resized, new Size(_modelW, _modelH), 0, 0, interpolation);
            long step = resized.Step();
            for (int y = 0; y < _modelH; y++)
            {
                Marshal.Copy(resized.Data + (nint)(y * step), row, 0, _modelW);
                for (int x = 0; x < _modelW; x++) pixels[y * _modelW + x] = row[x] / 255f;
            }
            var features = sample.AsSpan(i * _dims, _dims);
            GradientHistogram.Compute(pixels, _modelW, _modelH, _cfg.Cell, features, _cfg.SignedBins);
            float w = (float)_window[i];
            for (int d = 0; d < _dims; d++) features[d] *= w;
        }
        return sample;
    }

    /// <summary>DFT of length S (forward: e^{−2πikn/S}; inverse: conjugate twiddles and 1/S, real part only).</summary>
    private void Dft(double[] inRe, double[] inIm, double[] outRe, double[] outIm, bool inverse)
    {
        int s = _cfg.Count;
        double sign = inverse ? -1 : 1, norm = inverse ? 1.0 / s : 1.0;
        for (int k = 0; k < s; k++)
        {
            double r = 0, m = 0;
            for (int n = 0; n < s; n++)
            {
                double c = _cos[k * s + n], sn = sign * _sin[k * s + n];
                r += inRe[n] * c - inIm[n] * sn;
                m += inRe[n] * sn + inIm[n] * c;
            }
            outRe[k] = r * norm;
            outIm[k] = m * norm;
        }
    }
}
