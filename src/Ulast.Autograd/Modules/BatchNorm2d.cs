namespace Ulast.Autograd.Modules;

public sealed class BatchNorm2d : Module
{
    public BatchNorm2d(Device device, int channels, float momentum = 0.1f, float eps = 1e-5f)
    {
        Momentum = momentum;
        Eps = eps;
        Weight = RegisterParameter("weight", Tensor.PersistentFromArray(device, Enumerable.Repeat(1f, channels).ToArray(), channels));
        Bias = RegisterParameter("bias", Tensor.PersistentFromArray(device, new float[channels], channels));
        RunningMean = RegisterBuffer("running_mean", Tensor.PersistentFromArray(device, new float[channels], channels));
        RunningVar = RegisterBuffer("running_var", Tensor.PersistentFromArray(device, Enumerable.Repeat(1f, channels).ToArray(), channels));
    }

    public Tensor Weight { get; }
    public Tensor Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public float Momentum { get; }
    public float Eps { get; }

    public override Tensor Forward(Tensor x) => Training && BatchNormStats.Frozen
        ? Ops.BatchNorm(x, Weight, Bias, null, null, true, Momentum, Eps)   // batch statistics, running ones untouched
        : Ops.BatchNorm(x, Weight, Bias, RunningMean, RunningVar, Training, Momentum, Eps);
}
