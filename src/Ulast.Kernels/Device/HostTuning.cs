using System.Runtime.Intrinsics;

namespace Ulast.Kernels;

/// <summary>
/// How the host path runs on this machine: threads, SIMD width, cache-sized blocks, and which algorithm serves a shape.
/// One per <see cref="Device"/> (<see cref="Device.Tuning"/>), handed to the host routines with each call, so that two
/// devices (or two tests) can run with different settings side by side. The defaults were measured on the development
/// machine (docs/notebook/experiments.md); the other values exist to test and compare the other paths.
/// </summary>
public sealed record HostTuning
{
    /// <summary>Threads a convolution or GEMM is spread over.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>The widest vector path the GEMM runs: 512, 256 or 0 (scalar); the machine's by default.</summary>
    public int GemmVectorBits { get; init; } = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 0;
    /// <summary>Bytes of packed B one pass over A works on: a share of a core's L2 beside A's block.</summary>
    public int GemmPackedBBytes { get; init; } = 128 * 1024;
    /// <summary>GEMMs of at most this many rows read B in place instead of packing it (the AVX-512 path; 0: always pack).</summary>
    public int GemmDirectBMaxRows { get; init; } = 128;
    /// <summary>The cross-correlation's vector width: 512 or 256.</summary>
    public int XcorrVectorBits { get; init; } = Vector512.IsHardwareAccelerated ? 512 : 256;
    /// <summary>The convolution's input gradient as the forward convolution of dY with the flipped weights (off: col2im).</summary>
    public bool FlippedInputGradient { get; init; }
    /// <summary>3×3 stride-1 convolutions of several images as Winograd's F(2×2, 3×3) (off: im2col + GEMM).</summary>
    public bool Winograd { get; init; } = true;
    /// <summary>Winograd only from this many images on (batch-1 tracking measured level with im2col + GEMM).</summary>
    public int WinogradMinBatch { get; init; } = 2;
    /// <summary>Bytes of transformed input and products a Winograd block of tile rows keeps (to stay in L2).</summary>
    public int WinogradBlockBytes { get; init; } = 512 * 1024;
    /// <summary>Inference-mode convolution + BatchNorm as one op (the tracker's frozen layers); off: the two ops.</summary>
    public bool FusedConvBnInference { get; init; } = true;
}
