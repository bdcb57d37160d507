namespace Ulast.Autograd.Optim;

/// <summary>Updates parameters from their gradients; the update itself is a device kernel.</summary>
public abstract class Optimizer : IDisposable
{
    protected Optimizer(IEnumerable<Tensor> parameters) => Parameters = parameters.ToList();

    public IReadOnlyList<Tensor> Parameters { get; }
    public float LearningRate { get; set; }

    /// <summary>Per-parameter factors on <see cref="LearningRate"/> (pysot trains a pretrained backbone at a tenth); absent: 1.</summary>
    public Dictionary<Tensor, float> LrScale { get; } = new(ReferenceEqualityComparer.Instance);

    protected float RateFor(Tensor p) => LrScale.TryGetValue(p, out var s) ? LearningRate * s : LearningRate;

    public abstract void Step();

    /// <summary>
    /// Every state tensor by a stable name (parameter index and slot), created as zeros where a parameter
    /// has none yet, so that a checkpoint can save and restore the optimiser exactly.
    /// </summary>
    public abstract IEnumerable<(string Name, Tensor Tensor)> NamedState();

    /// <summary>Steps taken (AdamW's bias correction needs it; SGD keeps it for the record).</summary>
    public int StepCount { get; set; }

    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }

    public abstract void Dispose();
}
