using System.Collections.Concurrent;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.Training;

/// <summary>A naive-pair batch: template crops [B,3,127,127], search crops [B,3,255,255], target boxes in the search crops [B,4] (cx, cy, w, h).</summary>
public sealed class PairBatch : IDisposable
{
    public required Tensor Templates { get; init; }
    public required Tensor Searches { get; init; }
    public required Tensor Boxes { get; init; }
    public void Dispose() { Templates.Dispose(); Searches.Dispose(); Boxes.Dispose(); }
}

/// <summary>
/// Prepares batch N+1 on a background thread while batch N trains: samples naive pairs, decodes frames
/// through the <see cref="FrameCache"/>, crops and augments them on the device.
/// </summary>
public sealed class BatchLoader : IDisposable
{
    private readonly BlockingCollection<PairBatch> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;

    public BatchLoader(Device device, TrainingSet set, FrameCache cache, int batchSize, int seed, AugmentConfig aug, int templateSize = 127, int searchSize = 255, int prefetch = 2)
    {
        _queue = new BlockingCollection<PairBatch>(prefetch);
        var sampler = new NaivePairSampler(set, seed);
        var rng = new Random(seed + 1);
        _worker = Task.Run(() =>
        {
            try
            {
                // A CUDA context is per thread: make the device's current on this worker too.
                if (!device.IsCpu) device.Accelerator.Bind();
                while (!_stop.IsCancellationRequested)
                {
                    var batch = Make(device, sampler, cache, rng, batchSize, aug, templateSize, searchSize);
                    try { _queue.Add(batch, _stop.Token); }
                    catch (OperationCanceledException) { batch.Dispose(); break; }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException) { Failure = e; }
            finally { _queue.CompleteAdding(); }
        });
    }

    public Exception? Failure { get; private set; }

    /// <summary>The next batch (the caller disposes it).</summary>
    public PairBatch Next()
    {
        try { return _queue.Take(); }
        catch (InvalidOperationException) { throw new InvalidOperationException("The batch loader stopped.", Failure); }
    }

    private static PairBatch Make(Device device, NaivePairSampler sampler, FrameCache cache, Random rng, int b, AugmentConfig aug, int zs, int xs)
    {
        using var scope = new TensorScope();
        using var ng = GradMode.NoGrad();
        var zs1 = new List<Tensor>();
        var xs1 = new List<Tensor>();
        var boxes = new float[b * 4];
        for (int i = 0; i < b; i++)
        {
            var (video, frame) = sampler.Next();
            using var mat = cache.Get(video.Source, frame);
            var mean = ImageUpload.MeanColour(mat);
            var box = video.Labels.Box(frame);
            var zw = TrainingCrops.Window(box, zs, zs, 0.5f, rng, aug with { FlipHorizontal = 0, FlipVertical = 0 }, shift: false);
            var xw = TrainingCrops.Window(box, xs, zs, 0.5f, rng, aug, shift: true);
            zs1.Add(TrainingCrops.Crop(device, mat, zw, rng, aug with { BlurProbability = 0 }, mean).Reshape(1, 3 * zs * zs));
            xs1.Add(TrainingCrops.Crop(device, mat, xw, rng, aug, mean).Reshape(1, 3 * xs * xs));
            var c = xw.ToCrop(box);
            boxes[i * 4] = c.Cx; boxes[i * 4 + 1] = c.Cy; boxes[i * 4 + 2] = c.W; boxes[i * 4 + 3] = c.H;
        }
        Tensor Persist(Tensor t, params int[] shape) { var p = Tensor.EmptyPersistent(device, shape); p.CopyFrom(t); return p; }
        return new PairBatch
        {
            Templates = Persist(Ops.Concat(zs1.ToArray()), b, 3, zs, zs),
            Searches = Persist(Ops.Concat(xs1.ToArray()), b, 3, xs, xs),
            Boxes = Tensor.PersistentFromArray(device, boxes, b, 4),
        };
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _worker.Wait(TimeSpan.FromSeconds(30)); } catch (AggregateException) { }
        while (_queue.TryTake(out var b)) b.Dispose();
        _stop.Dispose();
        _queue.Dispose();
    }
}
