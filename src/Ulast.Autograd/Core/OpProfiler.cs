using System.Diagnostics;

namespace Ulast.Autograd;

/// <summary>
/// Wall time per op, for `ulast bench train`. Forward: the time from one op's creation to the next op's
/// (on the CPU device every kernel runs synchronously inside its op, so that interval is the op's cost);
/// backward: the time of each node's backward closure. On a GPU kernels run asynchronously, so the profiler is
/// started with the device's synchronisation and waits for the queue at every mark (slower, but each op then
/// carries its own kernels' time). Off unless started; per thread.
/// </summary>
public static class OpProfiler
{
    [ThreadStatic] private static Dictionary<string, double>? _ms;
    [ThreadStatic] private static string? _lastOp;
    [ThreadStatic] private static long _lastTicks;
    [ThreadStatic] private static Action? _sync;

    public static bool Enabled => _ms is not null;

    /// <param name="device">The device the ops run on: on a GPU every mark waits for its queued kernels; on the CPU (or
    /// none given) each op has run to its end already.</param>
    public static void Start(Device? device = null)
    {
        _ms = new Dictionary<string, double>();
        _lastOp = null;
        _sync = device is { IsCpu: false } ? device.Synchronize : null;
    }

    /// <summary>Waits for the queued kernels when the profiler was started with a synchronisation.</summary>
    public static void Sync() { if (_ms is not null) _sync?.Invoke(); }

    /// <summary>Stops and returns milliseconds by op ("conv2d", "conv2d.backward", …).</summary>
    public static Dictionary<string, double> Stop()
    {
        Mark(null);
        var r = _ms ?? new Dictionary<string, double>();
        _ms = null;
        _sync = null;
        return r;
    }

    /// <summary>Closes the interval of the previous op and opens one for <paramref name="op"/> (null: just close).</summary>
    public static void Mark(string? op)
    {
        if (_ms is null) return;
        _sync?.Invoke();
        long now = Stopwatch.GetTimestamp();
        if (_lastOp is not null) Add(_lastOp, Stopwatch.GetElapsedTime(_lastTicks, now).TotalMilliseconds);
        _lastOp = op;
        _lastTicks = now;
    }

    public static void Add(string op, double ms)
    {
        if (_ms is null) return;
        _ms[op] = _ms.GetValueOrDefault(op) + ms;
    }
}
