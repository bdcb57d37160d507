using Ulast.Autograd.Modules;

namespace Ulast.GradCheck;

/// <summary>Makes the persistent tensors of one case and frees them with it.</summary>
public sealed class CaseTensors : IDisposable
{
    private readonly List<IDisposable> _owned = new();
    private readonly Device _device;
    public Device Device => _device;
    private readonly Random _rng;

    public CaseTensors(Device device, Random rng) { _device = device; _rng = rng; }

    public Tensor Uniform(double low, double high, params int[] shape) => Own(Tensor.PersistentFromArray(_device, Init.Uniform(_rng, Tensor.SizeOf(shape), low, high), shape));

    /// <summary>Values in ±[0.1, 1]: away from ReLU's kink.</summary>
    public Tensor AwayFromZero(params int[] shape)
    {
        var v = Init.Uniform(_rng, Tensor.SizeOf(shape), 0.1, 1);
        for (int i = 0; i < v.Length; i++) if (_rng.Next(2) == 0) v[i] = -v[i];
        return Own(Tensor.PersistentFromArray(_device, v, shape));
    }

    /// <summary>Distinct values spaced 0.05 apart in random order: no ties for max-pooling.</summary>
    public Tensor Distinct(params int[] shape)
    {
        int n = Tensor.SizeOf(shape);
        var v = Enumerable.Range(0, n).Select(i => (float)((i - n / 2) * 0.05)).OrderBy(_ => _rng.Next()).ToArray();
        return Own(Tensor.PersistentFromArray(_device, v, shape));
    }

    public Tensor Const(float[] data, params int[] shape) => Own(Tensor.PersistentFromArray(_device, data, shape));

    public T Own<T>(T d) where T : IDisposable { _owned.Add(d); return d; }

    public GradProblem Problem(Func<Tensor> forward, params Tensor[] inputs) => new(inputs, forward, this);

    public void Dispose()
    {
        foreach (var d in _owned) { if (d is Tensor t) t.ZeroGrad(); d.Dispose(); }
        _owned.Clear();
    }
}
