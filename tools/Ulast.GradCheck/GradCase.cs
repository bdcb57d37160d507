namespace Ulast.GradCheck;

/// <summary>
/// One gradient-check case: builds leaf inputs (and any modules), and a forward function from them
/// to one output tensor. The checker differentiates Σ out·r for a fixed random r.
/// </summary>
public sealed record GradCase(string Op, string Shapes, Func<Device, Random, GradProblem> Build, double Tolerance = 1.0, double Step = GradChecker.Step, int Samples = 0);

public sealed class GradProblem : IDisposable
{
    public GradProblem(Tensor[] inputs, Func<Tensor> forward, IDisposable? owner = null)
    {
        Inputs = inputs;
        Forward = forward;
        Owner = owner;
    }

    /// <summary>The tensors whose gradients are checked (leaf inputs and parameters).</summary>
    public Tensor[] Inputs { get; }
    public Func<Tensor> Forward { get; }
    public IDisposable? Owner { get; }

    public void Dispose()
    {
        foreach (var t in Inputs) if (t.Persistent) { t.ZeroGrad(); t.Dispose(); }
        Owner?.Dispose();
    }
}

public sealed record GradResult(string Op, string Shapes, int Checked, double MaxAbsError, double MaxRelError, bool Passed, string? Error = null, int Skipped = 0);
