using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ulast.Cli;

/// <summary>
/// Progress of long work. On a terminal, inside <see cref="Live"/>: Spectre.Console bars (what, bar, done/total,
/// rate, time left) on stderr. Not on a terminal: a plain line at half way and one at the end, no first-item rate.
/// </summary>
public sealed class ProgressBar
{
    private static ProgressContext? _live;
    private static IAnsiConsole? _console;
    /// <summary>What each live task counts ("frames", "labelled frames") and its rate since it started.</summary>
    private sealed record Info(string Unit, string Rate);
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProgressTask, Info> Infos = new();

    private readonly string _label;
    private int _total;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ProgressTask? _task;
    private int _lastHalf = -1;

    public ProgressBar(string label, int total)
    {
        _label = label;
        _total = Math.Max(1, total);
        _task = _live?.AddTask(Markup.Escape(label), maxValue: _total);
    }

    /// <summary>Whether bars are drawn live: both output streams on a terminal.</summary>
    public static bool OnTerminal => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    /// <summary>Runs work that reports progress; on a terminal its bars are drawn live while it runs (exceptions pass through).</summary>
    public static void Live(Action work)
    {
        if (!OnTerminal || _live is not null) { work(); return; }
        _console ??= AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        _console.Progress().AutoClear(false).HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new CountColumn(), new RateColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                _live = ctx;
                try { work(); }
                finally { _live = null; }
            });
    }

    /// <summary>A line of text that does not tear a live display.</summary>
    public static void WriteLine(string line)
    {
        if (_live is not null) _console!.WriteLine(line);
        else Console.WriteLine(line);
    }

    public void Report(int done, string unit = "frames")
    {
        if (_task is not null)
        {
            Infos.AddOrUpdate(_task, new Info(unit, Rate(done)));
            _task.Value = Math.Min(done, _total);
            return;
        }
        string rate = Rate(done);
        int half = done * 2 / _total;
        if ((half != _lastHalf && half == 1 && done < _total) || done == _total)
        {
            _lastHalf = half;
            Console.Error.WriteLine($"{_label}: {done}/{_total} {unit} ({rate})");
        }
    }

    /// <summary>Work that ended early (a video shorter than its header claims): the bar ends at what was done.</summary>
    public void Complete(int done, string unit = "frames")
    {
        if (done >= _total) return;
        _total = Math.Max(1, done);
        if (_task is not null) _task.MaxValue = _total;
        Report(done, unit);
    }

    // The first item's rate says nothing (it is mostly start-up): a rate is shown from the second on.
    private string Rate(int done) => done > 1 && _clock.Elapsed.TotalSeconds > 0 ? $"{done / _clock.Elapsed.TotalSeconds:F1}/s" : "-";

    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text($"{task.Value:0}/{task.MaxValue:0} {(Infos.TryGetValue(task, out var info) ? info.Unit : "")}");
    }

    private sealed class RateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(Infos.TryGetValue(task, out var info) ? info.Rate : "-", new Style(Color.Grey));
    }
}
