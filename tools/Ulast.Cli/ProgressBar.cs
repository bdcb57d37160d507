using System.Diagnostics;

namespace Ulast.Cli;

/// <summary>A one-line progress bar on stderr with rate; a plain line every 10 % when stderr is not a terminal.</summary>
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
        double s = _clock.Elapsed.TotalSeconds, rate = s > 0 ? done / s : 0;
        if (Console.IsErrorRedirected)
        {
            int decile = done * 10 / _total;
            if (decile != _lastDecile || done == _total) { _lastDecile = decile; Console.Error.WriteLine($"{_label}: {done}/{_total} {unit} ({rate:F1}/s)"); }
            return;
        }
        if (done < _total && _clock.ElapsedMilliseconds - _lastDraw < 100) return;
        _lastDraw = _clock.ElapsedMilliseconds;
        int width = 30, filled = (int)((long)done * width / _total);
        Console.Error.Write($"\r{_label,-16} [{new string('#', filled)}{new string('.', width - filled)}] {done}/{_total} {unit} {rate,6:F1}/s ");
        if (done >= _total) Console.Error.WriteLine();
    }
}
