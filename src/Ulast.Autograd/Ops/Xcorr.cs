using Ulast.Kernels.Host;

namespace Ulast.Autograd;

public static partial class Ops
{
    /// <summary>Depthwise cross-correlation: search [B,C,Hs,Ws] ⋆ kernel [B,C,Hk,Wk] → [B,C,Hs−Hk+1,Ws−Wk+1].</summary>
    public static unsafe Tensor DepthwiseXcorr(Tensor search, Tensor kernel)
    {
        if (search.Rank != 4 || kernel.Rank != 4 || search.Shape[0] != kernel.Shape[0] || search.Shape[1] != kernel.Shape[1])
            throw new ArgumentException($"DepthwiseXcorr needs search [B,C,Hs,Ws] and kernel [B,C,Hk,Wk], got {search.ShapeString} and {kernel.ShapeString}.");
        var p = new XcorrParams(search.Shape[0], search.Shape[1], search.Shape[2], search.Shape[3], kernel.Shape[2], kernel.Shape[3]);
        var dev = search.Device;
        var y = Tensor.Result(dev, new[] { p.B, p.C, p.Ho, p.Wo }, "xcorr", new[] { search, kernel }, _ => g =>
        {
            if (search.RequiresGrad)
            {
                var ds = Tensor.Empty(dev, search.Shape);
                if (dev.RunsOnHost(XcorrKernels.BackwardSearch)) HostXcorr.BackwardSearch(dev.Tuning, p, kernel.HostPointer, g.HostPointer, ds.HostPointer);
                else dev.Kernels.Launch(XcorrKernels.BackwardSearch, p.SearchSize, p, kernel.View, g.View, ds.View);
                Tensor.AccumulateGrad(search, ds);
            }
            if (kernel.RequiresGrad)
            {
                var dk = Tensor.Empty(dev, kernel.Shape);
                if (dev.RunsOnHost(XcorrKernels.BackwardKernel)) HostXcorr.BackwardKernel(dev.Tuning, p, search.HostPointer, g.HostPointer, dk.HostPointer);
                else dev.Kernels.Launch(XcorrKernels.BackwardKernel, p.KernelSize, p, search.View, g.View, dk.View);
                Tensor.AccumulateGrad(kernel, dk);
            }
        });
        if (dev.RunsOnHost(XcorrKernels.Forward)) HostXcorr.Forward(dev.Tuning, p, search.HostPointer, kernel.HostPointer, y.HostPointer);
        else dev.Kernels.Launch(XcorrKernels.Forward, p.OutputSize, p, search.View, kernel.View, y.View);
        return y;
    }

    /// <summary>
    /// The adjoint of <see cref="DepthwiseXcorr"/> in its kernel: dK [B,C,kh,kw] = Σ over output cells of g [B,C,Ho,Wo]
    /// times the search [B,C,Hs,Ws] under each tap — the kernel gradient of DepthwiseXcorr, the same kernels, for a
    /// solver that needs Aᵀu without the forward pass A·k that a backward through the tape would first compute. Records
    /// no gradient of its own.
    /// </summary>
    public static unsafe Tensor DepthwiseXcorrKernelGradient(Tensor search, Tensor g, int kh, int kw)
    {
        if (search.Rank != 4 || g.Rank != 4 || search.Shape[0] != g.Shape[0] || search.Shape[1] != g.Shape[1]
            || g.Shape[2] != search.Shape[2] - kh + 1 || g.Shape[3] != search.Shape[3] - kw + 1)
            throw new ArgumentException($"DepthwiseXcorrKernelGradient needs search [B,C,Hs,Ws] and g [B,C,Hs−{kh}+1,Ws−{kw}+1], got {search.ShapeString} and {g.ShapeString}.");
        var p = new XcorrParams(search.Shape[0], search.Shape[1], search.Shape[2], search.Shape[3], kh, kw);
        var dev = search.Device;
        var dk = Tensor.Result(dev, new[] { p.B, p.C, kh, kw }, "xcorr.kernel_gradient", new[] { search, g }, null);
        if (dev.RunsOnHost(XcorrKernels.BackwardKernel)) HostXcorr.BackwardKernel(dev.Tuning, p, search.HostPointer, g.HostPointer, dk.HostPointer);
        else dev.Kernels.Launch(XcorrKernels.BackwardKernel, p.KernelSize, p, search.View, g.View, dk.View);
        return dk;
    }
}
