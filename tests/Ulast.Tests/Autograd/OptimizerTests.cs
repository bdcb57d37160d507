using Ulast.Autograd.Optim;

namespace Ulast.Tests.Autograd;

public class OptimizerTests
{
    [Fact]
    public void SgdWithMomentumAndDecayMatchesHandComputation()
    {
        using var dev = TestDevice.Cpu();
        using var p = Tensor.PersistentFromArray(dev, new[] { 1f, -2f }, 2);
        p.RequiresGrad = true;
        using var opt = new Sgd(new[] { p }, lr: 0.1f, momentum: 0.9f, weightDecay: 0.01f);
        double[] w = { 1, -2 }, v = { 0, 0 };
        for (int step = 0; step < 3; step++)
        {
            using (var s = new TensorScope()) Ops.SumAll(Ops.Mul(p, p)).Backward();   // grad = 2w
            opt.Step();
            opt.ZeroGrad();
            for (int i = 0; i < 2; i++) { double g = 2 * w[i] + 0.01 * w[i]; v[i] = 0.9 * v[i] + g; w[i] -= 0.1 * v[i]; }
        }
        TestDevice.AssertClose(w, p.ToArray(), 1e-5, 1e-5);
    }

    [Fact]
    public void AdamWMatchesHandComputation()
    {
        using var dev = TestDevice.Cpu();
        using var p = Tensor.PersistentFromArray(dev, new[] { 0.5f, -1.5f }, 2);
        p.RequiresGrad = true;
        using var opt = new AdamW(new[] { p }, lr: 0.01f, weightDecay: 0.1f);
        double[] w = { 0.5, -1.5 }, m = { 0, 0 }, v = { 0, 0 };
        for (int t = 1; t <= 4; t++)
        {
            using (var s = new TensorScope()) Ops.SumAll(Ops.Mul(p, p)).Backward();
            opt.Step();
            opt.ZeroGrad();
            for (int i = 0; i < 2; i++)
            {
                double g = 2 * w[i];
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.999 * v[i] + 0.001 * g * g;
                double mh = m[i] / (1 - Math.Pow(0.9, t)), vh = v[i] / (1 - Math.Pow(0.999, t));
                w[i] -= 0.01 * (mh / (Math.Sqrt(vh) + 1e-8) + 0.1 * w[i]);
            }
        }
        TestDevice.AssertClose(w, p.ToArray(), 1e-5, 1e-4);
    }
}
