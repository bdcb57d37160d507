using ILGPU;
using ILGPU.Runtime;

namespace Ulast.Kernels;

/// <summary>
/// Recycles device buffers by exact element count. A steady training loop asks for the same sizes
/// every step, so after the first step it allocates nothing new. Idle buffers are capped at
/// <see cref="MaxIdleBytes"/>: past it the least recently returned ones are freed, so that sizes seen
/// once (frame regions of every size, when cropping training samples) cannot pile up. Optionally fills
/// every rented buffer with NaN so that tests can prove a kernel wrote every element of its output.
/// </summary>
public sealed class BufferPool : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly Dictionary<long, Stack<LinkedListNode<MemoryBuffer1D<float, Stride1D.Dense>>>> _free = new();
    private readonly LinkedList<MemoryBuffer1D<float, Stride1D.Dense>> _idleOrder = new();   // oldest first
    private readonly HashSet<MemoryBuffer1D<float, Stride1D.Dense>> _rented = new(ReferenceEqualityComparer.Instance);
    private readonly object _lock = new();

    public BufferPool(Accelerator accelerator) => _accelerator = accelerator;

    /// <summary>When set, rented buffers are filled with NaN before they are handed out.</summary>
    public bool PoisonOnRent { get; set; }

    /// <summary>Most bytes kept in idle buffers (default 3 GiB).</summary>
    public long MaxIdleBytes { get; set; } = 3L << 30;
    public long IdleBytes { get; private set; }
    public long AllocatedBytes { get; private set; }
    public long RentedBytes { get; private set; }
    public long AllocationCount { get; private set; }
    public int RentedCount { get { lock (_lock) return _rented.Count; } }

    public MemoryBuffer1D<float, Stride1D.Dense> Rent(long length)
    {
        if (length <= 0) throw new ArgumentOutOfRangeException(nameof(length), "A buffer needs at least one element.");
        MemoryBuffer1D<float, Stride1D.Dense>? buffer = null;
        lock (_lock)
        {
            if (_free.TryGetValue(length, out var stack) && stack.Count > 0)
            {
                var node = stack.Pop();
                _idleOrder.Remove(node);
                IdleBytes -= length * sizeof(float);
                buffer = node.Value;
            }
        }
        if (buffer is null)
        {
            buffer = _accelerator.Allocate1D<float>(length);
            lock (_lock) { AllocatedBytes += length * sizeof(float); AllocationCount++; }
        }
        lock (_lock) { _rented.Add(buffer); RentedBytes += length * sizeof(float); }
        if (PoisonOnRent)
        {
            buffer.MemSet(0xFF); // every float becomes NaN
            _accelerator.Synchronize();
        }
        return buffer;
    }

    public void Return(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        lock (_lock)
        {
            if (!_rented.Remove(buffer)) throw new InvalidOperationException("Buffer returned twice or not rented from this pool.");
            RentedBytes -= buffer.Length * sizeof(float);
            if (!_free.TryGetValue(buffer.Length, out var stack)) _free[buffer.Length] = stack = new();
            stack.Push(_idleOrder.AddLast(buffer));
            IdleBytes += buffer.Length * sizeof(float);
            while (IdleBytes > MaxIdleBytes && _idleOrder.First is { } oldest) Free(oldest);
        }
    }

    private void Free(LinkedListNode<MemoryBuffer1D<float, Stride1D.Dense>> node)
    {
        var b = node.Value;
        var stack = _free[b.Length];
        // The oldest idle buffer of a size sits at the bottom of its stack.
        var kept = stack.Where(n => n != node).Reverse().ToArray();
        stack.Clear();
        foreach (var n in kept) stack.Push(n);
        if (stack.Count == 0) _free.Remove(b.Length);
        _idleOrder.Remove(node);
        IdleBytes -= b.Length * sizeof(float);
        AllocatedBytes -= b.Length * sizeof(float);
        b.Dispose();
    }

    /// <summary>Frees every idle buffer (rented ones stay valid).</summary>
    public void Trim()
    {
        lock (_lock)
        {
            while (_idleOrder.First is { } node) Free(node);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var b in _idleOrder) b.Dispose();
            foreach (var b in _rented) b.Dispose();
            _free.Clear();
            _idleOrder.Clear();
            _rented.Clear();
        }
    }
}
