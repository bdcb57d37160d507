using ILGPU;
using ILGPU.Runtime;

namespace Ulast.Kernels;

/// <summary>
/// Recycles device buffers by exact element count. A steady training loop asks for the same sizes
/// every step, so after the first step it allocates nothing new. Optionally fills every rented
/// buffer with NaN so that tests can prove a kernel wrote every element of its output.
/// </summary>
public sealed class BufferPool : IDisposable
{
    private readonly Accelerator _accelerator;
    private readonly Dictionary<long, Stack<MemoryBuffer1D<float, Stride1D.Dense>>> _free = new();
    private readonly HashSet<MemoryBuffer1D<float, Stride1D.Dense>> _rented = new(ReferenceEqualityComparer.Instance);
    private readonly object _lock = new();

    public BufferPool(Accelerator accelerator) => _accelerator = accelerator;

    /// <summary>When set, rented buffers are filled with NaN before they are handed out.</summary>
    public bool PoisonOnRent { get; set; }

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
            if (_free.TryGetValue(length, out var stack) && stack.Count > 0) buffer = stack.Pop();
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
            stack.Push(buffer);
        }
    }

    /// <summary>Frees every idle buffer (rented ones stay valid).</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var stack in _free.Values)
                while (stack.Count > 0) { var b = stack.Pop(); AllocatedBytes -= b.Length * sizeof(float); b.Dispose(); }
            _free.Clear();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var stack in _free.Values) foreach (var b in stack) b.Dispose();
            foreach (var b in _rented) b.Dispose();
            _free.Clear();
            _rented.Clear();
        }
    }
}
