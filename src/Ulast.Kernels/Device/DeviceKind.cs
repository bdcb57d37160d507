namespace Ulast.Kernels;

/// <summary>Which accelerator a <see cref="Device"/> should run on.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when ILGPU finds a CUDA device, otherwise the CPU.</summary>
    Auto,
    Cuda,
    Cpu,
}

public static class DeviceKindParser
{
    public static DeviceKind Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "auto" => DeviceKind.Auto,
        "cuda" or "gpu" => DeviceKind.Cuda,
        "cpu" => DeviceKind.Cpu,
        _ => throw new ArgumentException($"Unknown device '{text}': expected auto, cuda or cpu."),
    };
}
