using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace Ulast.Kernels;

/// <summary>
/// Launches kernels. On a GPU (or when asked, on ILGPU's CPU accelerator) each kernel is compiled once
/// and launched on the accelerator's stream. With <see cref="RunOnHost"/> the very same kernel method
/// runs as ordinary .NET code over the index range on the host's threads: ILGPU's CPU accelerator
/// simulates GPU warps and costs orders of magnitude more per element than the host loop.
/// Every launch is recorded (the poisoning test proves from that record that each kernel ran).
/// </summary>
public sealed class KernelCache
{
    private readonly Accelerator _accelerator;
    private readonly ConcurrentDictionary<MethodInfo, Delegate> _loaded = new();
    private readonly ConcurrentDictionary<MethodInfo, long> _launches = new();

    public KernelCache(Accelerator accelerator) => _accelerator = accelerator;

    public IReadOnlyDictionary<MethodInfo, long> Launches => _launches;

    /// <summary>Run kernels as host code over CPU buffers instead of on the accelerator.</summary>
    public bool RunOnHost { get; set; }

    /// <summary>Below this many elements a host launch stays on the calling thread.</summary>
    private const int SerialBelow = 16384;

    /// <summary>Records a kernel whose work a host SIMD routine did instead (same contract, tested against the same references).</summary>
    public void RecordHost(Delegate kernel) => Record(kernel);

    private void Record(Delegate kernel) => _launches.AddOrUpdate(kernel.Method, 1, (_, c) => c + 1);

    /// <summary>Splits [0, n) into one contiguous chunk per core.</summary>
    private static void HostFor(int n, Action<int, int> body)
    {
        if (n < SerialBelow) { body(0, n); return; }
        int chunks = Math.Min(Environment.ProcessorCount, (n + SerialBelow - 1) / SerialBelow);
        Parallel.For(0, chunks, c => body((int)((long)n * c / chunks), (int)((long)n * (c + 1) / chunks)));
    }

    private TDelegate Get<TDelegate>(Delegate kernel, Func<TDelegate> load) where TDelegate : Delegate
    {
        Record(kernel);
        return (TDelegate)_loaded.GetOrAdd(kernel.Method, _ => load());
    }

    public void Launch<T1>(Action<Index1D, T1> k, int n, T1 a1)
        where T1 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1);
    }

    public void Launch<T1, T2>(Action<Index1D, T1, T2> k, int n, T1 a1, T2 a2)
        where T1 : struct where T2 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2);
    }

    public void Launch<T1, T2, T3>(Action<Index1D, T1, T2, T3> k, int n, T1 a1, T2 a2, T3 a3)
        where T1 : struct where T2 : struct where T3 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2, a3); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3);
    }

    public void Launch<T1, T2, T3, T4>(Action<Index1D, T1, T2, T3, T4> k, int n, T1 a1, T2 a2, T3 a3, T4 a4)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2, a3, a4); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4);
    }

    public void Launch<T1, T2, T3, T4, T5>(Action<Index1D, T1, T2, T3, T4, T5> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2, a3, a4, a5); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5);
    }

    public void Launch<T1, T2, T3, T4, T5, T6>(Action<Index1D, T1, T2, T3, T4, T5, T6> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2, a3, a4, a5, a6); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6);
    }

    public void Launch<T1, T2, T3, T4, T5, T6, T7>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2, a3, a4, a5, a6, a7); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7);
    }
    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2, a3, a4, a5, a6, a7, a8); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7, a8);
    }

    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8, T9> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2, a3, a4, a5, a6, a7, a8, a9); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7, a8, a9);
    }

    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
    }

    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct
    {
        if (RunOnHost) { Record(k); HostFor(n, (i0, i1) => { for (int i = i0; i < i1; i++) k(i, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11); }); return; }
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
    }
}
