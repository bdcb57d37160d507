using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

public class MemoryQueueTests
{
    private sealed class Entry(int id, List<int> disposed) : IDisposable
    {
        public int Id { get; } = id;
        public void Dispose() => disposed.Add(Id);
    }

    [Fact]
    public void KeepsTheFirstFrameAndTheNewestEntriesInOrder()
    {
        var disposed = new List<int>();
        using var q = new MemoryQueue<Entry>(capacity: 3, interval: 1, minScore: 0f);
        q.Reset(new Entry(0, disposed));
        for (int f = 1; f <= 5; f++) q.Add(f, new Entry(f, disposed));
        Assert.Equal(new[] { 0, 4, 5 }, q.Items.Select(e => e.Id));
        Assert.Equal(new[] { 1, 2, 3 }, disposed);                // evicted oldest first, never the first frame
        q.Reset(new Entry(10, disposed));
        Assert.Equal(new[] { 10 }, q.Items.Select(e => e.Id));
        Assert.Equal(new[] { 1, 2, 3, 0, 4, 5 }, disposed);       // a reset frees everything it held
    }

    [Fact]
    public void AdmitsOnlyConfidentFramesEveryIntervalFrames()
    {
        var disposed = new List<int>();
        using var q = new MemoryQueue<Entry>(capacity: 4, interval: 5, minScore: 0.6f);
        Assert.False(q.Admits(10, 1f));                            // nothing before the first frame
        q.Reset(new Entry(0, disposed));
        Assert.False(q.Admits(4, 0.9f));                           // too soon after frame 0
        Assert.False(q.Admits(5, 0.59f));                          // not confident enough
        Assert.True(q.Admits(5, 0.6f));
        q.Add(5, new Entry(5, disposed));
        Assert.False(q.Admits(9, 0.9f));
        Assert.True(q.Admits(10, 0.9f));
        using var firstOnly = new MemoryQueue<Entry>(capacity: 1, interval: 1, minScore: 0f);
        firstOnly.Reset(new Entry(0, disposed));
        Assert.False(firstOnly.Admits(100, 1f));                   // capacity 1: the first frame alone
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryQueue<Entry>(0, 1, 0f));
    }
}

public class OnlineTrackerTests
{
    /// <summary>The first <paramref name="count"/> frames of a shared sequence and its first ground-truth box.</summary>
    private static (List<Mat> frames, BoxF init) Frames(string name, int count)
    {
        var path = Path.Combine(SequenceTests.Annotated, name);
        Skip.IfNot(Directory.Exists(path), "shared data missing");
        var seq = SequenceLoader.Load(path);
        return (seq.ReadFrames().Take(count).ToList(), seq.GroundTruth[0]);
    }

    [SkippableFact]
    public void WithLambdaZeroTheOnlineTrackerGivesExactlyTheOfflineBoxes()
    {
        var (frames, init) = Frames("Girl", 40);
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Channels = 16, Width = 8 });
        using var offline = new SiamRpnTracker(model);
        // Gate open and a short interval: the memory fills, rebuilds and is mixed in with weight 0.
        using var online = new SiamRpnTracker(model, new TrackerSettings { Online = new OnlineConfig { LambdaM = 0f, MinScore = 0f, UpdateInterval = 3 } });
        offline.Init(frames[0], init);
        online.Init(frames[0], init);
        for (int i = 1; i < frames.Count; i++) Assert.Equal(offline.Track(frames[i]), online.Track(frames[i]));
        Assert.Equal(4, online.MemoryCount);
        foreach (var f in frames) f.Dispose();
    }

    [SkippableFact]
    public void MemoryChangesTheResponseWhenMixedIn()
    {
        var (frames, init) = Frames("Girl", 25);
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Channels = 16, Width = 8 });
        using var offline = new SiamRpnTracker(model);
        using var online = new SiamRpnTracker(model, new TrackerSettings { Online = new OnlineConfig { LambdaM = 0.9f, MinScore = 0f, UpdateInterval = 2, MemoryRegression = true } });
        offline.Init(frames[0], init);
        online.Init(frames[0], init);
        int differ = 0;
        for (int i = 1; i < frames.Count; i++) if (offline.Track(frames[i]) != online.Track(frames[i])) differ++;
        Assert.True(differ > 0, "λm = 0.9 left every box as the offline tracker's");
        foreach (var f in frames) f.Dispose();
    }

    [SkippableFact]
    public void ThousandOnlineFramesStayFiniteWithBoundedMemory()
    {
        // Girl forward then backward: 1,000 frames; every 5th frame enters the memory (gate open).
        var (frames, init) = Frames("Girl", 500);
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Channels = 16, Width = 8 });
        using var tracker = new SiamRpnTracker(model, new TrackerSettings { Online = new OnlineConfig { MinScore = 0f, UpdateInterval = 5, Capacity = 4 } });
        tracker.Init(frames[0], init);
        long allocated = 0;
        int rented = 0;
        for (int n = 1; n <= 1000; n++)
        {
            int p = n % 998;
            var frame = frames[p <= 499 ? p : 998 - p];
            var b = tracker.Track(frame);
            Assert.True(b.IsValid && float.IsFinite(b.Cx) && float.IsFinite(b.Cy), $"frame {n}: {b}");
            Assert.True(float.IsFinite(tracker.LastScore), $"frame {n}: score {tracker.LastScore}");
            Assert.InRange(tracker.MemoryCount, 1, 4);
            if (n == 100) { allocated = dev.Pool.AllocatedBytes; rented = dev.Pool.RentedCount; }
        }
        Assert.Equal(4, tracker.MemoryCount);
        Assert.Equal(rented, dev.Pool.RentedCount);                // evicted entries are returned
        Assert.True(dev.Pool.AllocatedBytes <= allocated, $"the pool grew from {allocated} to {dev.Pool.AllocatedBytes} bytes");
        foreach (var f in frames) f.Dispose();
    }

    [Fact]
    public void RejectsAModelWithoutCptAndBadSettings()
    {
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Channels = 16, Width = 8, Cpt = false });
        Assert.Throws<ArgumentException>(() => new SiamRpnTracker(model, new TrackerSettings { Online = new OnlineConfig() }));
        using var withCpt = new SiameseRpn(dev, new ModelConfig { Channels = 16, Width = 8 });
        Assert.Throws<ArgumentException>(() => new SiamRpnTracker(withCpt, new TrackerSettings { Online = new OnlineConfig { LambdaM = 1.5f } }));
        Assert.Throws<ArgumentException>(() => new SiamRpnTracker(withCpt, new TrackerSettings { Online = new OnlineConfig { Capacity = 0 } }));
    }
}
