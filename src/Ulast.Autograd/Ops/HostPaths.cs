namespace Ulast.Autograd;

/// <summary>
/// SIMD host implementations (System.Numerics.Tensors) of the hottest element-wise kernels, used on the
/// CPU's host path for the layouts that dominate a network: same-shape operands, a per-channel operand
/// ([1,C,1,1] against [N,C,H,W]) and a per-sample plane ([N,1,H,W] against [N,C,H,W]). Each returns
/// false when it does not apply, and the kernel runs instead. Same contract as the kernels they stand
/// for, checked by the same reference tests. One file per op family, beside the op: Ops/NAME.cs and Ops/NAME.Host.cs.
/// </summary>
internal static unsafe partial class HostPaths
{
    private static Span<float> S(Tensor t) => new(t.HostPointer, t.Size);

    private static bool Ready(Tensor t)
    {
        if (!t.Device.HostPath) return false;
        t.Device.Synchronize();
        return true;
    }
}
