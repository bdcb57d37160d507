using Xunit.Abstractions;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.PseudoLabels;
using Ulast.Tracker.Training;

namespace Ulast.Tests.Tracker;

/// <summary>
/// Every mutation of <see cref="FuzzCorpus"/> fed to its reader with a time limit: each must end in a
/// <see cref="BadDataException"/> with a one-line message — never another exception, a hang or a result.
/// </summary>
public class FuzzCorpusTests(ITestOutputHelper output)
{
    // Generous: on a 2-core machine under the rest of the suite a healthy read can wait long for the CPU.
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Runs each case through its reader; returns the cases that did not end as they must.</summary>
    private List<string> Feed(IEnumerable<FuzzCorpus.Case> cases, string extension, Action<string> read)
    {
        var failures = new List<string>();
        int n = 0;
        foreach (var c in cases)
        {
            n++;
            var dir = Directory.CreateTempSubdirectory("ulast-fuzz-");
            try
            {
                var path = Path.Combine(dir.FullName, "input" + extension);
                File.WriteAllBytes(path, c.Bytes);
                // A thread of its own, not the pool's: with the pool starved by parallel tests a queued read
                // never started within the limit and passed for a hang (seen in CI).
                var task = Task.Factory.StartNew(() => read(path), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                string? outcome;
                try { outcome = task.Wait(Limit) ? "a result (no error)" : $"no answer within {Limit.TotalSeconds} s"; }
                catch (AggregateException e) when (e.InnerException is BadDataException bad)
                {
                    outcome = string.IsNullOrWhiteSpace(bad.Message) || bad.Message.Contains('\n') ? $"a message that is not one line: '{bad.Message}'" : null;
                }
                catch (AggregateException e) { outcome = $"{e.InnerException!.GetType().Name}: {e.InnerException.Message}"; }
                if (outcome is not null) failures.Add($"{c.Kind} / {c.Name}: {outcome}");
            }
            finally { try { dir.Delete(true); } catch (IOException) { } }
        }
        output.WriteLine($"{n} {cases.First().Kind} mutations, {n - failures.Count} refused with a BadDataException");
        foreach (var f in failures) output.WriteLine("  " + f);
        return failures;
    }

    [Fact]
    public void CorruptCheckpointsAreRefused()
    {
        using var dev = TestDevice.Cpu();
        var cases = FuzzCorpus.Checkpoints(FuzzCorpus.GoodCheckpoint(dev)).ToList();
        Assert.True(cases.Count >= 120, $"{cases.Count} checkpoint mutations");
        Assert.Empty(Feed(cases, ".safetensors", p => { using var m = Checkpoint.LoadModel(p, dev); }));
    }

    [Fact]
    public void CorruptGroundTruthIsRefused()
    {
        var cases = FuzzCorpus.GroundTruths().ToList();
        Assert.True(cases.Count >= 20, $"{cases.Count} ground-truth mutations");
        Assert.Empty(Feed(cases, ".txt", p => GroundTruth.Read(p, oneBased: false)));
    }

    [Fact]
    public void CorruptLabelsFilesAreRefused()
    {
        var cases = FuzzCorpus.Labels().ToList();
        Assert.True(cases.Count >= 35, $"{cases.Count} labels mutations");
        Assert.Empty(Feed(cases, ".json", p => LabelsFile.Read(p)));
    }

    [Fact]
    public void CorruptTrainingConfigsAreRefused()
    {
        var cases = FuzzCorpus.TrainConfigs().ToList();
        Assert.True(cases.Count >= 30, $"{cases.Count} config mutations");
        Assert.Empty(Feed(cases, ".json", p => TrainConfig.FromJson(File.ReadAllText(p), p)));
    }

    [Fact]
    public void CorruptImagesAreRefused()
    {
        var cases = FuzzCorpus.Images().ToList();
        Assert.True(cases.Count >= 12, $"{cases.Count} image mutations");
        // A sequence folder whose only frame is the mutated image.
        Assert.Empty(Feed(cases, ".jpg", p =>
        {
            var seq = SequenceLoader.Load(Path.GetDirectoryName(p)!);
            foreach (var m in seq.ReadFrames()) m.Dispose();
        }));
    }

    [Fact]
    public void CorruptVideosAreRefused()
    {
        var cases = FuzzCorpus.Videos().ToList();
        Assert.True(cases.Count >= 10, $"{cases.Count} video mutations");
        Assert.Empty(Feed(cases, ".avi", p =>
        {
            var seq = SequenceLoader.Load(p);
            foreach (var m in seq.ReadFrames()) m.Dispose();
        }));
    }

    [Fact]
    public void CorruptOnnxFilesAreRefused()
    {
        using var dev = TestDevice.Cpu();
        // The unmutated file reads and imports: each refusal below is the mutation's doing.
        var good = Directory.CreateTempSubdirectory("ulast-onnx-");
        try
        {
            var path = Path.Combine(good.FullName, "good.onnx");
            File.WriteAllBytes(path, OnnxFixture.Serialize(OnnxFixture.ResNet18(2)));
            using var net = new ResNet18(dev, 2, new[] { 3 }, new Random(1), siamese: false);
            OnnxResNet18.Load(net, OnnxModel.Read(path), path);
        }
        finally { good.Delete(true); }
        var cases = FuzzCorpus.Onnx().ToList();
        Assert.True(cases.Count >= 40, $"{cases.Count} ONNX mutations");
        Assert.Empty(Feed(cases, ".onnx", p =>
        {
            using var net = new ResNet18(dev, 2, new[] { 3 }, new Random(1), siamese: false);
            OnnxResNet18.Load(net, OnnxModel.Read(p), p);
        }));
    }

    [Fact]
    public void TheCorpusHoldsAtLeast200Mutations()
    {
        using var dev = TestDevice.Cpu();
        int n = FuzzCorpus.Checkpoints(FuzzCorpus.GoodCheckpoint(dev)).Count() + FuzzCorpus.GroundTruths().Count() + FuzzCorpus.Labels().Count()
              + FuzzCorpus.TrainConfigs().Count() + FuzzCorpus.Images().Count() + FuzzCorpus.Videos().Count() + FuzzCorpus.Onnx().Count();
        output.WriteLine($"{n} mutations in all");
        Assert.True(n >= 200, $"{n} mutations");
    }
}
