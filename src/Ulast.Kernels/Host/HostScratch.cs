using System.Runtime.InteropServices;

namespace Ulast.Kernels.Host;

/// <summary>
/// Grow-only scratch memory per thread for the host kernels (im2col columns, GEMM packing).
/// Allocating it per call cost more than some of the GEMMs it served: every block above the allocator's mmap
/// threshold (pinned low by the CLI) is a fresh mapping, page-faulted and zeroed on first touch, megabytes per conv.
/// A slot lent out and not yet returned (a nested use on the same thread) is never lent twice: the second
/// caller gets memory of its own, freed on return.
/// </summary>
public static unsafe class HostScratch
{
    /// <summary>The uses that may be live at once on one thread.</summary>
    public enum Use { Columns, PackA, PackB, Row, Partials, Weights, WinogradWeights, WinogradInput, WinogradProduct, WinogradSplit }

    internal sealed class Slot
    {
        public float* Ptr;
        public long Floats;
        public bool Lent;

        // Only the owning thread's [ThreadStatic] array (and a live lease) reaches a slot, so when a pool thread
        // retires its slots become garbage: free their memory then, or every retired thread would leak it.
        ~Slot()
        {
            if (Ptr == null) return;
            NativeMemory.AlignedFree(Ptr);
            Interlocked.Add(ref releasedBytes, Floats * sizeof(float));
        }
    }

    [ThreadStatic] private static Slot[]? slots;
    private static long nestedBytes, grownBytes, releasedBytes;

    /// <summary>Bytes freed so far from the slots of threads that have ended.</summary>
    public static long ReleasedBytes => Interlocked.Read(ref releasedBytes);

    /// <summary>Bytes allocated so far, all threads: for nested uses (freed on return) and for slots that grew.</summary>
    public static (long nested, long grown) AllocatedBytes => (Interlocked.Read(ref nestedBytes), Interlocked.Read(ref grownBytes));

    /// <summary>A lease on at least <c>floats</c> floats, 64-byte aligned; dispose to give it back.</summary>
    public readonly struct Lease : IDisposable
    {
        private readonly Slot? slot;
        public float* Ptr { get; }

        internal Lease(float* ptr, Slot? slot) { Ptr = ptr; this.slot = slot; }

        public void Dispose()
        {
            if (slot != null) slot.Lent = false;
            else if (Ptr != null) NativeMemory.AlignedFree(Ptr);
        }
    }

    public static Lease Rent(Use use, long floats)
    {
        var s = (slots ??= Enum.GetValues<Use>().Select(_ => new Slot()).ToArray())[(int)use];
        if (s.Lent) { Interlocked.Add(ref nestedBytes, floats * sizeof(float)); return new Lease(Alloc(floats), null); }
        if (s.Floats < floats)
        {
            if (s.Ptr != null) NativeMemory.AlignedFree(s.Ptr);
            s.Ptr = null;
            s.Floats = 0;
            s.Ptr = Alloc(floats);
            s.Floats = floats;
            Interlocked.Add(ref grownBytes, floats * sizeof(float));
        }
        s.Lent = true;
        return new Lease(s.Ptr, s);
    }

    /// <summary>Bytes held by the calling thread's slots (for tests and memory reports).</summary>
    public static long HeldBytesOnThisThread()
    {
        long total = 0;
        if (slots != null) foreach (var s in slots) total += s.Floats * sizeof(float);
        return total;
    }

    private static float* Alloc(long floats) => (float*)NativeMemory.AlignedAlloc((nuint)(Math.Max(1, floats) * sizeof(float)), 64);
}
