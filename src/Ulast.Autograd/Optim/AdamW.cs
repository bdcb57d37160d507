namespace Ulast.Autograd.Optim;

/// <summary>AdamW (decoupled weight decay).</summary>
public sealed class AdamW : Optimizer
{
    private readonly Dictionary<Tensor, (Tensor m, Tensor v)> _state = new(ReferenceEqualityComparer.Instance);

    public AdamW(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 1e-2f)
        : base(parameters)
    {
        LearningRate = lr; Beta1 = beta1; Beta2 = beta2; Eps = eps; WeightDecay = weightDecay;
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Eps { get; }
    public float WeightDecay { get; set; }

    public override void Step()
    {
        StepCount++;
        foreach (var p in Parameters)
        {
            if (p.Grad is null) continue;
            var hp = new AdamWParams(RateFor(p), Beta1, Beta2, Eps, WeightDecay, StepCount);
            var s = Moments(p);
            p.Device.Kernels.Launch(OptimizerKernels.AdamW, p.Size, hp, p.View, p.Grad.View, s.m.View, s.v.View);
        }
    }

    private (Tensor m, Tensor v) Moments(Tensor p)
    {
        if (!_state.TryGetValue(p, out var s))
        {
            s = (Tensor.EmptyPersistent(p.Device, p.Shape), Tensor.EmptyPersistent(p.Device, p.Shape));
            s.m.Fill(0f);
            s.v.Fill(0f);
            _state[p] = s;
        }
        return s;
    }

    public override IEnumerable<(string Name, Tensor Tensor)> NamedState() =>
        Parameters.SelectMany((p, i) => { var s = Moments(p); return new[] { ($"{i}.m", s.m), ($"{i}.v", s.v) }; }).ToList();

    public override void Dispose()
    {
        foreach (var (m, v) in _state.Values) { m.Dispose(); v.Dispose(); }
        _state.Clear();
    }
}
