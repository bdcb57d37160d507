namespace Ulast.Tracker.Tracking;

/// <summary>
/// The online tracker's memory: the first frame's entry, always kept, then the most recent admitted frames in
/// order. A frame is admitted when at least <c>interval</c> frames have passed since the last admission and its
/// score passes the gate; when full, the oldest entry after the first is evicted (and disposed).
/// </summary>
public sealed class MemoryQueue<T> : IDisposable where T : IDisposable
{
    private readonly List<T> _items = new();
    private int _lastAdmitted;

    public MemoryQueue(int capacity, int interval, float minScore)
    {
        if (capacity < 1) throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The queue holds at least the first frame.");
        if (interval < 1) throw new ArgumentOutOfRangeException(nameof(interval), interval, "Frames between admissions must be at least 1.");
        Capacity = capacity;
        Interval = interval;
        MinScore = minScore;
    }

    public int Capacity { get; }
    public int Interval { get; }
    public float MinScore { get; }
    /// <summary>First frame's entry first, then the others oldest to newest.</summary>
    public IReadOnlyList<T> Items => _items;
    public int Count => _items.Count;

    /// <summary>Empties the queue and keeps <paramref name="first"/> as the entry of frame 0.</summary>
    public void Reset(T first)
    {
        Clear();
        _items.Add(first);
        _lastAdmitted = 0;
    }

    /// <summary>Whether frame <paramref name="frame"/> with best score <paramref name="score"/> would be admitted.</summary>
    public bool Admits(int frame, float score) =>
        _items.Count > 0 && Capacity > 1 && frame - _lastAdmitted >= Interval && score >= MinScore;

    public void Add(int frame, T item)
    {
        if (_items.Count == 0) throw new InvalidOperationException("Add() before Reset(first).");
        _items.Add(item);
        _lastAdmitted = frame;
        if (_items.Count > Capacity)
        {
            _items[1].Dispose();
            _items.RemoveAt(1);
        }
    }

    private void Clear()
    {
        foreach (var item in _items) item.Dispose();
        _items.Clear();
    }

    public void Dispose() => Clear();
}
