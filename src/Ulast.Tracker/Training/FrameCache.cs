using OpenCvSharp;
using Ulast.Tracker.Data;

namespace Ulast.Tracker.Training;

/// <summary>
/// Decoded frames of training videos, decoded once per video and kept within a memory budget
/// (least recently used videos go first). Thread-safe.
/// </summary>
public sealed class FrameCache : IDisposable
{
    private readonly long _budget;
    private readonly Dictionary<string, (List<Mat> frames, long bytes)> _videos = new();
    private readonly LinkedList<string> _order = new();
    private readonly object _lock = new();
    private long _bytes;

    public FrameCache(long budgetBytes) => _budget = budgetBytes;

    /// <summary>The memory budget in bytes (after any cap, see <see cref="BudgetFor"/>).</summary>
    public long Budget => _budget;

    /// <summary>
    /// The configured budget, capped at the memory the system has available now (Linux's MemAvailable) less
    /// <see cref="Reserve"/> for the training itself, and at least 256 MiB: two trainings with the 10 GiB default on a
    /// 24 GiB machine were killed for memory. The cap used to be half of what was available (11 GB here), below the
    /// 11.9 GB that the 66 unlabelled videos decode to, and since whole videos are evicted least recently used while
    /// the samplers draw from all of them, nearly every draw decoded a video again and a naive step took several times as
    /// long. The cache only saves decoding time, so the cap changes speed, never results.
    /// </summary>
    public static long BudgetFor(long requested, long? availableBytes = null)
    {
        long? available = availableBytes ?? MemAvailable();
        if (available is not long a) return requested;
        return Math.Min(requested, Math.Max(256L << 20, a - Reserve));
    }

    /// <summary>Memory left to the training beside the cache: a cycle step b8 peaks near 2.8 GB resident.</summary>
    public const long Reserve = 6L << 30;

    private static long? MemAvailable()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        catch (FormatException) { }
        return null;
    }

    public long Bytes { get { lock (_lock) return _bytes; } }
    public int Decodes { get; private set; }

    /// <summary>A copy of frame <paramref name="index"/> of the video at <paramref name="source"/> (the caller disposes it).</summary>
    public Mat Get(string source, int index)
    {
        lock (_lock)
        {
            if (!_videos.TryGetValue(source, out var v))
            {
                var frames = SequenceLoader.Load(source).ReadFrames().ToList();
                Decodes++;
                long bytes = frames.Sum(f => (long)f.Total() * f.ElemSize());
                while (_bytes + bytes > _budget && _order.Count > 0) Evict(_order.Last!.Value);
                v = (frames, bytes);
                _videos[source] = v;
                _bytes += bytes;
                _order.AddFirst(source);
                if (_bytes > _budget)
                {
                    // Larger than the whole budget: keep it only for this request.
                    var copy = frames[index].Clone();
                    Evict(source);
                    return copy;
                }
            }
            else { _order.Remove(source); _order.AddFirst(source); }
            if (index < 0 || index >= v.frames.Count) throw new ArgumentOutOfRangeException(nameof(index), $"'{source}' has {v.frames.Count} frames, asked for {index}.");
            return v.frames[index].Clone();
        }
    }

    private void Evict(string source)
    {
        var (frames, bytes) = _videos[source];
        foreach (var f in frames) f.Dispose();
        _videos.Remove(source);
        _order.Remove(source);
        _bytes -= bytes;
    }

    public void Dispose()
    {
        lock (_lock) foreach (var s in _videos.Keys.ToList()) Evict(s);
    }
}
