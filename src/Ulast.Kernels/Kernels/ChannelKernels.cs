using ILGPU;

namespace Ulast.Kernels;

public readonly struct ChannelCopyParams
{
    public readonly int N, Count, Plane, SrcC, SrcOffset, DstC, DstOffset;
    public ChannelCopyParams(int n, int count, int plane, int srcC, int srcOffset, int dstC, int dstOffset)
    { N = n; Count = count; Plane = plane; SrcC = srcC; SrcOffset = srcOffset; DstC = dstC; DstOffset = dstOffset; }
    public int Size => N * Count * Plane;
}

/// <summary>Copies a run of channels between two NCHW tensors: concat, slice and their gradients.</summary>
public static class ChannelKernels
{
    [UlastKernel]
    public static void Copy(Index1D i, ChannelCopyParams p, ArrayView<float> src, ArrayView<float> dst)
    {
        int q = i % p.Plane, c = i / p.Plane % p.Count, n = i / (p.Plane * p.Count);
        dst[(n * p.DstC + p.DstOffset + c) * p.Plane + q] = src[(n * p.SrcC + p.SrcOffset + c) * p.Plane + q];
    }
}
