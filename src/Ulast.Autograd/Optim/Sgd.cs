namespace Ulast.Autograd.Optim;

/// <summary>SGD with momentum and L2 weight decay, as USOT trains (momentum 0.9, decay 1e-4).</summary>
public sealed class Sgd : Optimizer
{
    private readonly Dictionary<Tensor, Tensor> _velocity = new(ReferenceEqualityComparer.Instance);

    public Sgd(IEnumerable<Tensor> parameters, float lr, float momentum = 0.9f, float weightDecay = 1e-4f, bool nesterov = false)
        : base(parameters)
    {
        LearningRate = lr; Momentum = momentum; WeightDecay = weightDecay; Nesterov = nesterov;
    }

    public float Momentum { get; set; }
    public float WeightDecay { get; set; }
    public bool Nesterov { get; set; }

    public override void Step()
    {
        StepCount++;
        foreach (var p in Parameters)
        {
            if (p.Grad is null) continue;
            var hp = new SgdParams(RateFor(p), Momentum, WeightDecay, Nesterov);
            if (!HostPaths.SgdStep(hp, p, p.Grad, Velocity(p)))
                p.Device.Kernels.Launch(OptimizerKernels.Sgd, p.Size, hp, p.View, p.Grad.View, Velocity(p).View);
        }
    }

    private Tensor Velocity(Tensor p)
    {
        if (!_velocity.TryGetValue(p, out var v))
        {
            v = Tensor.EmptyPersistent(p.Device, p.Shape);
            v.Fill(0f);
            _velocity[p] = v;
        }
        return v;
    }

    public override IEnumerable<(string Name, Tensor Tensor)> NamedState() =>
        Parameters.Select((p, i) => ($"{i}.velocity", Velocity(p))).ToList();

    public override void Dispose()
    {
        foreach (var v in _velocity.Values) v.Dispose();
        _velocity.Clear();
    }
}
