namespace Ulast.Autograd;

/// <summary>The host path of the channels ops (see <see cref="HostPaths"/>).</summary>
internal static unsafe partial class HostPaths
{
    /// <summary>A run of channels between two NCHW tensors (<see cref="ChannelKernels.Copy"/>): one block copy per sample.</summary>
    public static bool ChannelCopy(ChannelCopyParams p, Tensor src, Tensor dst)
    {
        if (!Ready(src)) return false;
        src.Device.Kernels.RecordHost(ChannelKernels.Copy);
        long block = (long)p.Count * p.Plane;
        for (int n = 0; n < p.N; n++)
            new ReadOnlySpan<float>(src.HostPointer + ((long)n * p.SrcC + p.SrcOffset) * p.Plane, (int)block)
                .CopyTo(new Span<float>(dst.HostPointer + ((long)n * p.DstC + p.DstOffset) * p.Plane, (int)block));
        return true;
    }
}
