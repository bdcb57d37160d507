namespace Ulast.Autograd.Modules;

public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor x) => Ops.Relu(x);
}

public sealed class MaxPool2d : Module
{
    private readonly int _kernel, _stride, _padding;
    public MaxPool2d(int kernel, int stride, int padding = 0) { _kernel = kernel; _stride = stride; _padding = padding; }
    public override Tensor Forward(Tensor x) => Ops.MaxPool2d(x, _kernel, _stride, _padding);
}

/// <summary>Runs its children in order; children are named "0", "1", … as in PyTorch.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = new();

    public Sequential(params Module[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public IReadOnlyList<Module> Layers => _layers;

    public override Tensor Forward(Tensor x)
    {
        foreach (var l in _layers) x = l.Forward(x);
        return x;
    }
}
