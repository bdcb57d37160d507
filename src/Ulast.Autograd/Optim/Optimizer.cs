namespace Ulast.Autograd;

/// <summary>Updates parameters from their gradients; the update itself is a device kernel.</summary>
public abstract class Optimizer : IDisposable
{
    protected Optimizer(IEnumerable<Tensor> parameters) => Parameters = parameters.ToList();

    public IReadOnlyList<Tensor> Parameters { get; }
    public float LearningRate { get; set; }

    public abstract void Step();

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    public abstract void Dispose();
}
