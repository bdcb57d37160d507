using System.Collections.Concurrent;
using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace Ulast.Kernels;

/// <summary>
/// Compiles each kernel once per accelerator and remembers which kernels were launched
/// (the poisoning test uses that record to prove every kernel was exercised).
/// </summary>
public sealed class KernelCache
{
    private readonly Accelerator _accelerator;
    private readonly ConcurrentDictionary<MethodInfo, Delegate> _loaded = new();
    private readonly ConcurrentDictionary<MethodInfo, long> _launches = new();

    public KernelCache(Accelerator accelerator) => _accelerator = accelerator;

    public IReadOnlyDictionary<MethodInfo, long> Launches => _launches;

    private TDelegate Get<TDelegate>(Delegate kernel, Func<TDelegate> load) where TDelegate : Delegate
    {
        _launches.AddOrUpdate(kernel.Method, 1, (_, c) => c + 1);
        return (TDelegate)_loaded.GetOrAdd(kernel.Method, _ => load());
    }

    public void Launch<T1>(Action<Index1D, T1> k, int n, T1 a1)
        where T1 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1);
    }

    public void Launch<T1, T2>(Action<Index1D, T1, T2> k, int n, T1 a1, T2 a2)
        where T1 : struct where T2 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2);
    }

    public void Launch<T1, T2, T3>(Action<Index1D, T1, T2, T3> k, int n, T1 a1, T2 a2, T3 a3)
        where T1 : struct where T2 : struct where T3 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3);
    }

    public void Launch<T1, T2, T3, T4>(Action<Index1D, T1, T2, T3, T4> k, int n, T1 a1, T2 a2, T3 a3, T4 a4)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4);
    }

    public void Launch<T1, T2, T3, T4, T5>(Action<Index1D, T1, T2, T3, T4, T5> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5);
    }

    public void Launch<T1, T2, T3, T4, T5, T6>(Action<Index1D, T1, T2, T3, T4, T5, T6> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6);
    }

    public void Launch<T1, T2, T3, T4, T5, T6, T7>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7);
    }
    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7, a8);
    }

    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8, T9> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7, a8, a9);
    }

    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10);
    }

    public void Launch<T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11>(Action<Index1D, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11> k, int n, T1 a1, T2 a2, T3 a3, T4 a4, T5 a5, T6 a6, T7 a7, T8 a8, T9 a9, T10 a10, T11 a11)
        where T1 : struct where T2 : struct where T3 : struct where T4 : struct where T5 : struct where T6 : struct where T7 : struct where T8 : struct where T9 : struct where T10 : struct where T11 : struct
    {
        var d = Get(k, () => _accelerator.LoadAutoGroupedStreamKernel(k));
        if (n > 0) d(n, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11);
    }
}
