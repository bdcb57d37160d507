using System.Diagnostics;

namespace Ulast.Autograd;

/// <summary>
/// Wall time per op, for `ulast bench train`. Forward: the time from one op's creation to the next op's
/// (on the CPU device every kernel runs synchronously inside its op, so that interval is the op's cost);
/// backward: the time of each node's backward closure. Off unless started; per thread.
/// </summary>
public static class OpProfiler
{
    [ThreadStatic] private static Dictionary<string, double>? _ms;
    [ThreadStatic] private static string? _lastOp;
    [ThreadStatic] private static long _lastTicks;

    public static bool Enabled => _ms is not null;

    public static void Start() { _ms = new Dictionary<string, double>(); _lastOp = null; }

    /// <summary>Stops and returns milliseconds by op ("conv2d", "conv2d.backward", …).</summary>
    public static Dictionary<string, double> Stop()
    {
        Mark(null);
        var r = _ms ?? new Dictionary<string, double>();
        _ms = null;
        return r;
    }

    /// <summary>Closes the interval of the previous op and opens one for <paramref name="op"/> (null: just close).</summary>
    public static void Mark(string? op)
    {
        if (_ms is null) return;
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
