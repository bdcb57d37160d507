using Ulast.Autograd.Modules;
using Ulast.Autograd.Optim;

namespace Ulast.Tests.Autograd;

/// <summary>A steady training loop allocates nothing after its first step and returns every buffer.</summary>
public class MemoryTests
{
    [Fact]
    public void FiveHundredTrainingStepsKeepPooledMemoryBounded()
    {
        using var dev = TestDevice.Cpu();
        var rng = new Random(5);
        using var net = new Sequential(
            new Conv2d(dev, 3, 8, 3, padding: 1, rng: rng), new BatchNorm2d(dev, 8), new ReLU(),
            new MaxPool2d(2, 2), new Conv2d(dev, 8, 4, 3, padding: 1, bias: true, rng: rng));
        using var opt = new Sgd(net.Parameters(), lr: 0.01f);
        var input = TestDevice.Random(rng, 2 * 3 * 12 * 12);
        var target = TestDevice.Random(rng, 2 * 4 * 6 * 6);
        long allocatedAfterWarmup = 0;
        int rentedAfterWarmup = 0;
        float firstLoss = 0, lastLoss = 0;
        for (int step = 0; step < 500; step++)
        {
            using (var scope = new TensorScope())
            {
                var x = Tensor.FromArray(dev, input, 2, 3, 12, 12);
                var diff = Ops.Sub(net.Forward(x), Tensor.FromArray(dev, target, 2, 4, 6, 6));
                var loss = Ops.MeanAll(Ops.Mul(diff, diff));
                loss.Backward();
                opt.Step();
                if (step == 0) firstLoss = loss.Item();
                if (step == 499) lastLoss = loss.Item();
            }
            opt.ZeroGrad();
            if (step == 2)
            {
                allocatedAfterWarmup = dev.Pool.AllocatedBytes;
                rentedAfterWarmup = dev.Pool.RentedCount;
            }
        }
        Assert.Equal(allocatedAfterWarmup, dev.Pool.AllocatedBytes);
        Assert.Equal(rentedAfterWarmup, dev.Pool.RentedCount);
        Assert.True(lastLoss < firstLoss * 0.5, $"the loop did not learn: {firstLoss} → {lastLoss}");
    }

    [Fact]
    public void IdleBuffersOfOneOffSizesAreFreedPastTheCap()
    {
        using var dev = TestDevice.Cpu();
        dev.Pool.MaxIdleBytes = 1 << 20;   // 1 MiB
        // Frame regions of every size, as training crops upload them: each size is seen once.
        for (int n = 1000; n < 41000; n += 1000)
            using (var scope = new TensorScope()) Tensor.Empty(dev, n);
        Assert.True(dev.Pool.IdleBytes <= dev.Pool.MaxIdleBytes, $"{dev.Pool.IdleBytes} idle bytes");
        Assert.True(dev.Pool.AllocatedBytes <= dev.Pool.MaxIdleBytes, $"{dev.Pool.AllocatedBytes} allocated bytes");
        // A size in steady use is still recycled.
        using (var scope = new TensorScope()) Tensor.Empty(dev, 5000);
        long count = dev.Pool.AllocationCount;
        for (int i = 0; i < 10; i++)
            using (var scope = new TensorScope()) Tensor.Empty(dev, 5000);
        Assert.Equal(count, dev.Pool.AllocationCount);
    }
}
