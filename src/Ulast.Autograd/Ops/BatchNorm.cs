namespace Ulast.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Batch normalisation of x [N,C,...] per channel. Training uses the batch statistics and updates the
    /// running ones (when given); evaluation uses the running statistics as constants.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor? runningMean, Tensor? runningVar,
        bool training, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm needs [N,C,...], got {x.ShapeString}.");
        int c = x.Shape[1];
        if (gamma.Size != c || beta.Size != c) throw new ArgumentException($"BatchNorm: γ/β must have {c} elements.");
        var p = new BatchNormParams(x.Shape[0], c, x.Size / (x.Shape[0] * c), eps);
        var dev = x.Device;
        Tensor mean, var;
        bool ownStats = training || runningMean is null || runningVar is null;
        if (ownStats)
        {
            if (!training) throw new ArgumentException("BatchNorm in evaluation needs running statistics.");
            mean = Tensor.Empty(dev, c);
            var = Tensor.Empty(dev, c);
            if (!HostPaths.BatchNormStats(p, x, mean, var))
            {
                int chunks = BatchNormKernels.Chunks(p);
                using var partial = Tensor.Empty(dev, 2 * c * chunks);
                dev.Kernels.Launch(BatchNormKernels.StatsPartial, c * chunks, p, chunks, 0, x.View, mean.View, partial.View);
                dev.Kernels.Launch(BatchNormKernels.StatsFinish, c, p, chunks, partial.View, mean.View);
                dev.Kernels.Launch(BatchNormKernels.StatsPartial, c * chunks, p, chunks, 1, x.View, mean.View, partial.View);
                dev.Kernels.Launch(BatchNormKernels.StatsFinish, c, p, chunks, partial.View, var.View);
            }
            if (runningMean is not null && runningVar is not null)
                dev.Kernels.Launch(BatchNormKernels.UpdateRunning, c, p, momentum, mean.View, var.View, runningMean.View, runningVar.View);
        }
        else
        {
            mean = runningMean!;
            var = runningVar!;
        }
        var y = Tensor.Result(dev, x.Shape, "batchnorm", new[] { x, gamma, beta }, _ => g =>
        {
            var dBeta = Tensor.Empty(dev, c);
            var dGamma = Tensor.Empty(dev, c);
            var hostDx = x.RequiresGrad && dev.HostPath ? Tensor.Empty(dev, x.Shape) : null;
            if (HostPaths.BatchNormBackward(p, training, g, x, mean, var, gamma, dBeta, dGamma, hostDx))
            {
                if (hostDx is not null) Tensor.AccumulateGrad(x, hostDx);
            }
            else
            {
            int chunks = BatchNormKernels.Chunks(p);
            using (var partial = Tensor.Empty(dev, 4 * c * chunks))
            {
                dev.Kernels.Launch(BatchNormKernels.BackwardPartial, c * chunks, p, chunks, g.View, x.View, mean.View, partial.View);
                dev.Kernels.Launch(BatchNormKernels.BackwardFinish, c, p, chunks, partial.View, var.View, dBeta.View, dGamma.View);
            }
            if (x.RequiresGrad)
            {
                var dx = Tensor.Empty(dev, x.Shape);
                dev.Kernels.Launch(BatchNormKernels.BackwardInput, x.Size, p, training ? 1 : 0, g.View, x.View, mean.View, var.View,
                    gamma.View, dBeta.View, dGamma.View, dx.View);
                Tensor.AccumulateGrad(x, dx);
            }
            }
            Tensor.AccumulateGrad(gamma, dGamma.Reshape(gamma.Shape));
            Tensor.AccumulateGrad(beta, dBeta.Reshape(beta.Shape));
        });
        if (!HostPaths.Normalize(p, x, mean, var, gamma, beta, y))
            dev.Kernels.Launch(BatchNormKernels.Normalize, x.Size, p, x.View, mean.View, var.View, gamma.View, beta.View, y.View);
        return y;
    }
}
