using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Ulast.Kernels;

/// <summary>
/// One accelerator with its buffer pool and kernel cache. CUDA when asked for (or found, with
/// <see cref="DeviceKind.Auto"/>), otherwise ILGPU's CPU accelerator, where GEMM-class work
/// takes the SIMD host path on the same buffers.
/// </summary>
public sealed class Device : IDisposable
{
    private Device(Context context, Accelerator accelerator)
    {
        Context = context;
        Accelerator = accelerator;
        IsCpu = accelerator.AcceleratorType == AcceleratorType.CPU;
        Pool = new BufferPool(accelerator);
        Kernels = new KernelCache(accelerator);
        UseHostPath = IsCpu;
    }

    private bool _useHostPath;

    public Context Context { get; }
    public Accelerator Accelerator { get; }
    public BufferPool Pool { get; }
    public KernelCache Kernels { get; }
    public bool IsCpu { get; }

    /// <summary>
    /// On the CPU: run conv/matmul/xcorr through the SIMD host implementations and every other kernel
    /// as host code on the host's threads (the default). Off, every op goes through ILGPU's CPU
    /// accelerator: slow, but it executes the kernels exactly as ILGPU compiles them (tests use both).
    /// </summary>
    public bool UseHostPath
    {
        get => _useHostPath;
        set
        {
            _useHostPath = value && IsCpu;
            Kernels.RunOnHost = _useHostPath;
        }
    }

    /// <summary>How the host path runs (threads, SIMD width, blocks, algorithms): this device's, handed to every host routine.</summary>
    public HostTuning Tuning { get; set; } = new();

    /// <summary>
    /// Whether a host routine stands in for <paramref name="kernel"/> here (the CPU's host path): the one dispatch test
    /// of every op. It synchronises first and records the kernel as covered, as a launch would.
    /// </summary>
    public bool RunsOnHost(Delegate kernel)
    {
        if (!HostPath) return false;
        Synchronize();
        Kernels.RecordHost(kernel);
        return true;
    }

    /// <summary>True when the host SIMD path is in use: buffers live in host memory.</summary>
    public bool HostPath => IsCpu && UseHostPath;

    public string Name => !IsCpu ? $"CUDA: {Accelerator.Name}"
        : UseHostPath ? $"CPU ({Environment.ProcessorCount} threads: kernels as host code, SIMD GEMM)"
        : $"CPU ({Environment.ProcessorCount} threads: ILGPU CPU accelerator)";

    public static Device Create(DeviceKind kind = DeviceKind.Auto)
    {
        var context = Context.Create(b => b.CPU().Cuda().EnableAlgorithms().Optimize(OptimizationLevel.O1));
        try
        {
            if (kind != DeviceKind.Cpu)
            {
                var cuda = context.GetCudaDevices();
                if (cuda.Count > 0) return new Device(context, cuda[0].CreateAccelerator(context));
                if (kind == DeviceKind.Cuda) throw new DeviceUnavailableException("no CUDA device was found (ILGPU saw none on this machine); use --device cpu, or --device auto to take CUDA when there is one.");
            }
            return new Device(context, context.CreateCPUAccelerator(0));
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    public static Device Create(string kind) => Create(DeviceKindParser.Parse(kind));

    /// <summary>Waits until every launched kernel has finished.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    public void Dispose()
    {
        Accelerator.Synchronize();
        Pool.Dispose();
        Accelerator.Dispose();
        Context.Dispose();
    }
}

/// <summary>The asked-for accelerator is not on this machine.</summary>
public sealed class DeviceUnavailableException(string message) : Exception(message);
