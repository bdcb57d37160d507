using System.Diagnostics;

namespace Ulast.Cli;

/// <summary>A one-line progress bar on stderr with rate; when stderr is not a terminal, a plain line at half way and one at the end.</summary>
public sealed class ProgressBar
{
    private readonly string _label;
    private readonly int _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw;
    private int _lastDecile = -1;

    public ProgressBar(string label, int total) { _label = label; _total = Math.Max(1, total); }

    public void Report(int done, string unit = "frames")
    {
        double s = _clock.Elapsed.TotalSeconds;
        // The first item's rate says nothing (it is mostly start-up): a rate is shown from the second on.
        string rate = done > 1 && s > 0 ? $"{done / s:F1}/s" : "-";
        if (Console.IsErrorRedirected)
        {
            int half = done * 2 / _total;
            if ((half != _lastDecile && half == 1 && done < _total) || done == _total) { _lastDecile = half; Console.Error.WriteLine($"{_label}: {done}/{_total} {unit} ({rate})"); }
            return;
        }
        if (done < _total && _clock.ElapsedMilliseconds - _lastDraw < 100) return;
        _lastDraw = _clock.ElapsedMilliseconds;
        int width = 30, filled = (int)((long)done * width / _total);
        Console.Error.Write($"\r{_label,-16} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{_total} {unit} {rate,8} ");
        if (done >= _total) Console.Error.WriteLine();
    }
}
