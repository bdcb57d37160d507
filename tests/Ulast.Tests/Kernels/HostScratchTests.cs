using Ulast.Kernels.Host;

namespace Ulast.Tests.Kernels;

/// <summary>The per-thread scratch: reused when free, never lent twice, grown on demand.</summary>
public class HostScratchTests
{
    [Fact]
    public unsafe void ReusesAFreeSlotAndNeverLendsALentOne()
    {
        Exception? error = null;
        var thread = new Thread(() => { try { RunOnAFreshThread(); } catch (Exception e) { error = e; } });
        thread.Start();
        thread.Join();
        Assert.Null(error);
    }

    [Fact]
    public unsafe void AThreadThatEndsGivesItsSlotsBack()
    {
        long before = HostScratch.ReleasedBytes;
        var thread = new Thread(() => { using var big = HostScratch.Rent(HostScratch.Use.Partials, 300_000); big.Ptr[299_999] = 1f; });
        thread.Start();
        thread.Join();
        for (int i = 0; i < 20 && HostScratch.ReleasedBytes - before < 300_000 * sizeof(float); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(10);
        }
        Assert.True(HostScratch.ReleasedBytes - before >= 300_000 * sizeof(float), "the ended thread's slot was freed");
    }

    private static unsafe void RunOnAFreshThread()
    {
        float* first;
        using (var a = HostScratch.Rent(HostScratch.Use.Columns, 1000)) { first = a.Ptr; a.Ptr[999] = 1f; }
        using (var again = HostScratch.Rent(HostScratch.Use.Columns, 500))
        {
            Assert.True(first == again.Ptr, "a free slot large enough is reused");
            using var nested = HostScratch.Rent(HostScratch.Use.Columns, 500);
            Assert.True(nested.Ptr != again.Ptr, "a lent slot is not lent again");
            using var other = HostScratch.Rent(HostScratch.Use.PackB, 500);
            Assert.True(other.Ptr != again.Ptr && other.Ptr != nested.Ptr, "each use has its own slot");
        }
        using (var big = HostScratch.Rent(HostScratch.Use.Columns, 100_000)) big.Ptr[99_999] = 3f;
        Assert.True(HostScratch.HeldBytesOnThisThread() >= 100_000 * sizeof(float), "the slot grew");
    }
}
