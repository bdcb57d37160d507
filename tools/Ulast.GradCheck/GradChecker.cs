using Ulast.Autograd.Modules;

namespace Ulast.GradCheck;

/// <summary>
/// Central finite differences against reverse-mode gradients. Perturbs a random subset of each
/// input's elements by ±h (float32 data, double accumulation of the loss on the host).
/// An element passes when |analytic − numeric| ≤ tol · (atol + rtol · max(|analytic|, |numeric|)).
/// </summary>
public static class GradChecker
{
    public const double Step = 1e-2;
    public const double AbsTolerance = 2e-3;
    public const double RelTolerance = 2e-2;

    public static GradResult Run(GradCase c, Device device, int seed, int samplesPerInput = 12)
    {
        var rng = new Random(seed);
        try
        {
            using var problem = c.Build(device, rng);
            foreach (var t in problem.Inputs) { t.RequiresGrad = true; t.ZeroGrad(); }
            float[] weights;
            float[][] analytic;
            using (var scope = new TensorScope())
            {
                var y = problem.Forward();
                weights = Init.Uniform(rng, y.Size, -1, 1);
                var r = Tensor.FromArray(device, weights, y.Shape);
                var loss = Ops.SumAll(Ops.Mul(y, r));
                loss.Backward();
                analytic = problem.Inputs.Select(t => t.Grad?.ToArray() ?? new float[t.Size]).ToArray();
            }
            double maxAbs = 0, maxRel = 0;
            int count = 0, kinks = 0;
            double center = Loss(problem, weights);
            bool ok = true;
            for (int i = 0; i < problem.Inputs.Length; i++)
            {
                var input = problem.Inputs[i];
                var data = input.ToArray();
                var picks = Enumerable.Range(0, data.Length).OrderBy(_ => rng.Next()).Take(c.Samples > 0 ? c.Samples : samplesPerInput).ToArray();
                foreach (var e in picks)
                {
                    float original = data[e];
                    data[e] = (float)(original + c.Step);
                    input.CopyFrom(data);
                    double plus = Loss(problem, weights);
                    data[e] = (float)(original - c.Step);
                    input.CopyFrom(data);
                    double minus = Loss(problem, weights);
                    data[e] = original;
                    input.CopyFrom(data);
                    // The perturbation actually applied, after rounding to float32.
                    double h = ((double)(float)(original + c.Step) - (float)(original - c.Step)) / 2;
                    double numeric = (plus - minus) / (2 * h);
                    double a = analytic[i][e];
                    // A kink (ReLU, max) between x−h and x+h makes the one-sided slopes disagree: skip that point.
                    double right = (plus - center) / h, left = (center - minus) / h;
                    if (Math.Abs(right - left) > AbsTolerance + RelTolerance * Math.Max(Math.Abs(right), Math.Abs(left))) { kinks++; continue; }
                    double abs = Math.Abs(a - numeric);
                    // Relative to the gradient's size, floored at 1e-3 so that near-zero gradients do not turn rounding into 100 %.
                    double rel = abs / Math.Max(1e-3, Math.Max(Math.Abs(a), Math.Abs(numeric)));
                    maxAbs = Math.Max(maxAbs, abs);
                    maxRel = Math.Max(maxRel, rel);
                    if (abs > c.Tolerance * (AbsTolerance + RelTolerance * Math.Max(Math.Abs(a), Math.Abs(numeric)))) ok = false;
                    count++;
                }
            }
            foreach (var t in problem.Inputs) t.ZeroGrad();
            if (count < kinks) ok = false;
            return new GradResult(c.Op, c.Shapes, count, maxAbs, maxRel, ok, null, kinks);
        }
        catch (Exception ex)
        {
            return new GradResult(c.Op, c.Shapes, 0, double.NaN, double.NaN, false, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private static double Loss(GradProblem problem, float[] weights)
    {
        using var scope = new TensorScope();
        using var noGrad = GradMode.NoGrad();
        var y = problem.Forward().ToArray();
        double s = 0;
        for (int j = 0; j < y.Length; j++) s += (double)y[j] * weights[j];
        return s;
    }
}
