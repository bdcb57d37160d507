namespace Ulast.Autograd.Modules;

/// <summary>
/// A scope in which <see cref="BatchNorm2d"/> in training mode still normalises with the batch's statistics but
/// leaves its running statistics alone: for inputs from another distribution than the one inference will see
/// (ULAST's cycle feeds CPT templates through the head's template branch, while the offline tracker feeds T₁).
/// </summary>
public static class BatchNormStats
{
    [ThreadStatic] private static int _frozen;

    public static bool Frozen => _frozen > 0;

    public static IDisposable Freeze(bool freeze = true) => freeze ? new Scope() : NoScope.Instance;

    private sealed class Scope : IDisposable
    {
        private bool _done;
        public Scope() => _frozen++;
        public void Dispose() { if (!_done) { _frozen--; _done = true; } }
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }
}
