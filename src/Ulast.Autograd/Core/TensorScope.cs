namespace Ulast.Autograd;

/// <summary>
/// Owns every tensor created while it is the innermost scope and returns their buffers to the pool
/// when disposed. A training step inside a scope therefore gives back all its activations and
/// gradients; parameters and their gradients are persistent and live outside any scope.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static Stack<TensorScope>? _stack;
    private readonly List<Tensor> _owned = new();
    private bool _disposed;

    public TensorScope()
    {
        _stack ??= new Stack<TensorScope>();
        _stack.Push(this);
    }

    internal static TensorScope? Current => _stack is { Count: > 0 } s ? s.Peek() : null;

    internal void Register(Tensor t) => _owned.Add(t);

    /// <summary>Hands the tensor to the enclosing scope (or to nobody) so that it survives this one.</summary>
    public Tensor Keep(Tensor tensor)
    {
        if (_owned.Remove(tensor))
        {
            var outer = _stack!.Count > 1 ? _stack.ElementAt(1) : null;
            outer?.Register(tensor);
        }
        return tensor;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_stack is null || _stack.Count == 0 || !ReferenceEquals(_stack.Peek(), this))
            throw new InvalidOperationException("Tensor scopes must be disposed in the reverse order of their creation.");
        _stack.Pop();
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }
}
