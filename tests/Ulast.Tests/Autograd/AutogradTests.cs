namespace Ulast.Tests.Autograd;

public class AutogradTests
{
    [Fact]
    public void GradientAccumulatesWhenATensorIsUsedTwice()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var x = Tensor.FromArray(dev, new[] { 1f, -2f, 3f }, 3);
        x.RequiresGrad = true;
        // y = Σ (x·x + 3x) → dy/dx = 2x + 3
        Ops.SumAll(Ops.Add(Ops.Mul(x, x), Ops.MulScalar(x, 3f))).Backward();
        Assert.Equal(new[] { 5f, -1f, 9f }, x.Grad!.ToArray());
    }

    [Fact]
    public void NoGradRecordsNothingAndDetachCutsTheGraph()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var x = Tensor.FromArray(dev, new[] { 1f, 2f }, 2);
        x.RequiresGrad = true;
        using (GradMode.NoGrad())
        {
            var y = Ops.Mul(x, x);
            Assert.False(y.RequiresGrad);
        }
        var z = Ops.Mul(x.Detach(), x);
        Ops.SumAll(z).Backward();
        Assert.Equal(new[] { 1f, 2f }, x.Grad!.ToArray()); // d(c·x)/dx = c, with c = x detached
        Assert.False(x.Detach().RequiresGrad);
    }

    [Fact]
    public void BackwardNeedsAScalarOrASeed()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var x = Tensor.FromArray(dev, new[] { 1f, 2f }, 2);
        x.RequiresGrad = true;
        var y = Ops.Exp(x);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
        y.Backward(Tensor.FromArray(dev, new[] { 1f, 1f }, 2));
        Assert.Equal(MathF.Exp(2f), x.Grad!.ToArray()[1], 4);
    }

    [Fact]
    public void ShapeErrorsAreClear()
    {
        using var dev = TestDevice.Cpu();
        using var s = new TensorScope();
        var a = Tensor.Zeros(dev, 2, 3);
        var b = Tensor.Zeros(dev, 4, 3);
        Assert.Contains("do not broadcast", Assert.Throws<ArgumentException>(() => Ops.Add(a, b)).Message);
        Assert.Contains("inner sizes", Assert.Throws<ArgumentException>(() => Ops.MatMul(a, b)).Message);
        Assert.Throws<ArgumentException>(() => Ops.Conv2d(Tensor.Zeros(dev, 1, 3, 5, 5), Tensor.Zeros(dev, 2, 4, 3, 3)));
        Assert.Throws<ArgumentException>(() => a.Reshape(7));
    }

    [Fact]
    public void ScopeReturnsBuffersAndKeepSurvives()
    {
        using var dev = TestDevice.Cpu();
        int before = dev.Pool.RentedCount;
        Tensor kept;
        using (var outer = new TensorScope())
        {
            using (var inner = new TensorScope())
            {
                Tensor.Zeros(dev, 10);
                kept = inner.Keep(Tensor.Full(dev, 2f, 3));
            }
            Assert.False(kept.IsDisposed);
            Assert.Equal(new[] { 2f, 2f, 2f }, kept.ToArray());
        }
        Assert.True(kept.IsDisposed);
        Assert.Equal(before, dev.Pool.RentedCount);
    }

    [Fact]
    public void DeviceAutoFallsBackToCpuAndCudaIsAClearError()
    {
        using var dev = Device.Create(DeviceKind.Auto);
        Assert.Contains(dev.IsCpu ? "CPU" : "CUDA", dev.Name);
        if (dev.IsCpu) Assert.Contains("no CUDA device", Assert.Throws<DeviceUnavailableException>(() => Device.Create(DeviceKind.Cuda)).Message);
        Assert.Throws<ArgumentException>(() => DeviceKindParser.Parse("tpu"));
    }
}
