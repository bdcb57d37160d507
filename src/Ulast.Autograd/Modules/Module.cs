namespace Ulast.Autograd.Modules;

/// <summary>
/// A layer or a network: named parameters, named buffers (e.g. running statistics), child modules and
/// a training flag. Names are dotted paths, as in PyTorch, so checkpoints can map them one to one.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string name, Tensor tensor)> _parameters = new();
    private readonly List<(string name, Tensor tensor)> _buffers = new();
    private readonly List<(string name, Module module)> _children = new();

    public bool Training { get; private set; } = true;

    /// <summary>Single-input forward; modules with several inputs define their own Forward overloads.</summary>
    public virtual Tensor Forward(Tensor x) => throw new NotSupportedException($"{GetType().Name} does not take a single input.");

    protected Tensor RegisterParameter(string name, Tensor t)
    {
        t.RequiresGrad = true;
        t.Name = name;
        _parameters.Add((name, t));
        return t;
    }

    protected Tensor RegisterBuffer(string name, Tensor t)
    {
        t.Name = name;
        _buffers.Add((name, t));
        return t;
    }

    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        _children.Add((name, module));
        return module;
    }

    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters(string prefix = "")
    {
        foreach (var (n, t) in _parameters) yield return (prefix + n, t);
        foreach (var (n, m) in _children)
            foreach (var p in m.NamedParameters(prefix + n + ".")) yield return p;
    }

    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers(string prefix = "")
    {
        foreach (var (n, t) in _buffers) yield return (prefix + n, t);
        foreach (var (n, m) in _children)
            foreach (var b in m.NamedBuffers(prefix + n + ".")) yield return b;
    }

    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor);

    /// <summary>Parameters then buffers: everything a checkpoint must hold.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> State() => NamedParameters().Concat(NamedBuffers());

    public void Train(bool on = true)
    {
        Training = on;
        foreach (var (_, m) in _children) m.Train(on);
    }

    public void Eval() => Train(false);

    /// <summary>Training mode where <paramref name="trains"/> holds for a module's dotted path ("" for this one), evaluation elsewhere.</summary>
    public void TrainWhere(Func<string, bool> trains, string prefix = "")
    {
        Training = trains(prefix);
        foreach (var (n, m) in _children) m.TrainWhere(trains, prefix + n + ".");
    }

    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    public long ParameterCount => Parameters().Sum(p => (long)p.Size);

    public virtual void Dispose()
    {
        foreach (var (_, t) in _parameters) { t.ZeroGrad(); t.Dispose(); }
        foreach (var (_, t) in _buffers) t.Dispose();
        foreach (var (_, m) in _children) m.Dispose();
    }
}
