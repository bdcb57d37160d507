using System.Globalization;
using Ulast.Tracker.IO;

namespace Ulast.Tracker.Training;

/// <summary>An append-only CSV log with a header; each line is flushed, so a killed run loses nothing it logged.</summary>
public sealed class TrainLog : IDisposable
{
    private readonly StreamWriter _writer;

    public TrainLog(string path, string header)
    {
        bool fresh = !File.Exists(path) || new FileInfo(path).Length == 0;
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
        if (fresh) _writer.WriteLine(header);
    }

    public void Append(string line) => _writer.WriteLine(line);

    /// <summary>Drops the rows of steps ≥ <paramref name="step"/> (logged after the checkpoint a run resumes from); with
    /// <paramref name="inclusive"/>, only those &gt; step (val.csv counts steps done, and its row for the checkpoint's step came first).</summary>
    public static void Truncate(string path, int step, bool inclusive = false)
    {
        if (inclusive) step++;
        if (!File.Exists(path)) return;
        var lines = File.ReadAllLines(path);
        var kept = lines.Take(1).Concat(lines.Skip(1).Where(l => int.TryParse(l.Split(',')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s < step)).ToArray();
        AtomicFile.Replace(path, tmp => File.WriteAllLines(tmp, kept));
    }

    /// <summary>Reads a numeric CSV written by this class: the header and the rows as doubles (NaN where empty).</summary>
    public static (string[] header, double[][] rows) Read(string path)
    {
        if (!File.Exists(path)) return (Array.Empty<string>(), Array.Empty<double[]>());
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) return (Array.Empty<string>(), Array.Empty<double[]>());
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',').Select(v =>
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : double.NaN).ToArray()).ToArray();
        return (lines[0].Split(','), rows);
    }

    public void Dispose() => _writer.Dispose();
}
