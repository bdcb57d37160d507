using OpenCvSharp;

namespace Ulast.Tracker;

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
