namespace Ulast.Autograd;

/// <summary>
/// <c>using (GradMode.NoGrad()) { ... }</c> — inside it ops record nothing on the tape.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabled;

    public static bool IsEnabled => _disabled == 0;

    public static IDisposable NoGrad() => new Scope();

    private sealed class Scope : IDisposable
    {
        private bool _done;
        public Scope() => _disabled++;
        public void Dispose() { if (!_done) { _disabled--; _done = true; } }
    }
}
