namespace Ulast.Autograd;

/// <summary>
/// <c>using (GradMode.NoGrad()) { ... }</c> — inside it ops record nothing on the tape.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabled;

    public static bool IsEnabled => _disabled == 0;

    public static IDisposable NoGrad() => new Scope();

    /// <summary>Records on the tape again inside an enclosing NoGrad (an online optimisation within a tracker's frame); restores on dispose.</summary>
    public static IDisposable Enable() => new EnableScope();

    private sealed class EnableScope : IDisposable
    {
        private readonly int _saved;
        private bool _done;
        public EnableScope() { _saved = _disabled; _disabled = 0; }
        public void Dispose() { if (!_done) { _disabled = _saved; _done = true; } }
    }

    private sealed class Scope : IDisposable
    {
        private bool _done;
        public Scope() => _disabled++;
        public void Dispose() { if (!_done) { _disabled--; _done = true; } }
    }
}
