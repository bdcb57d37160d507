namespace Ulast.Autograd.Modules;

public sealed class Conv2d : Module
{
    public Conv2d(Device device, int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1, bool bias = false, Random? rng = null)
    {
        rng ??= new Random(0);
        Stride = stride; Padding = padding; Dilation = dilation; Groups = groups;
        int fanIn = inChannels / groups * kernel * kernel;
        Weight = RegisterParameter("weight", Tensor.PersistentFromArray(device,
            Init.KaimingNormal(rng, outChannels * fanIn, fanIn), outChannels, inChannels / groups, kernel, kernel));
        if (bias) Bias = RegisterParameter("bias", Tensor.PersistentFromArray(device, new float[outChannels], 1, outChannels, 1, 1));
    }

    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public int Groups { get; }

    public override Tensor Forward(Tensor x)
    {
        var y = Ops.Conv2d(x, Weight, Stride, Padding, Dilation, Groups);
        return Bias is null ? y : Ops.Add(y, Bias);
    }
}
