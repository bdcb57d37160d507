using System.Diagnostics;

namespace Ulast.Cli.Bench;

public static class Timing
{
    /// <summary>Median wall time in ms of <paramref name="repeats"/> runs after warm-up runs; stops early past the time budget.</summary>
    public static double MedianMs(Action run, int warmup = 2, int repeats = 10, double budgetSeconds = 20)
    {
        for (int i = 0; i < warmup; i++) run();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            run();
            times.Add(sw.Elapsed.TotalMilliseconds);
            if (total.Elapsed.TotalSeconds > budgetSeconds && times.Count >= 3) break;
        }
        times.Sort();
        return times.Count % 2 == 1 ? times[times.Count / 2] : (times[times.Count / 2 - 1] + times[times.Count / 2]) / 2;
    }
}
