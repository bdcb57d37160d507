using Ulast.Cli;
using Ulast.Tracker.Anchors;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;
using Ulast.Tracker.Training;

namespace Ulast.Tests.Tracker;

/// <summary>Presets, the options that set their settings, and the post-processing the tracker and training share.</summary>
public class TrackerPresetsTests
{
    [Fact]
    public void AnEvaluationRowSplitsIntoItsModelAndPreset()
    {
        bool IsModel(string m) => m is "ulast" or "r18";
        Assert.Equal(("r18", "online-shipped", true), Row("r18-online-dcf-lt"));
        Assert.Equal(("ulast", "siamese", false), Row("ulast"));
        Assert.Equal(("ulast", "shipped", false), Row("ulast-dcf"));
        Assert.Equal(("r18", "online", false), Row("r18-online"));
        Assert.Null(TrackerPresets.ParseRow("other-dcf", IsModel));
        Assert.Throws<ArgumentException>(() => TrackerPresets.Get("nonsense"));

        (string, string, bool)? Row(string row) => TrackerPresets.ParseRow(row, IsModel) is { } r ? (r.Model, r.Preset.Name, r.HandlesLost) : null;
    }

    [Fact]
    public void EachPresetRunsItsStagesInOrder()
    {
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "small", Channels = 32, Width = 16 });
        string[] Stages(string preset) => TrackerPresets.Get(preset).Settings.CreateStages(model).Select(s => { s.Dispose(); return s.GetType().Name; }).ToArray();
        Assert.Empty(Stages("siamese"));
        Assert.Equal(new[] { "FilterStage", "ScaleStage" }, Stages("shipped"));
        Assert.Equal(new[] { "MemoryStage", "FilterStage", "ScaleStage" }, Stages("online-shipped"));
        var lost = TrackerPresets.WithLostHandling(TrackerPresets.Get("shipped").Settings);
        Assert.True(lost.Lost is { Freeze: true, Redetect: true });
        Assert.True(TrackerPresets.Get("shipped").Settings.Lost is { Freeze: false });   // the preset itself is untouched
    }

    [Fact]
    public void TrackerOptionsSetTheirPropertyOnEveryPresetWithThatStage()
    {
        var o = CommandTree.Parse("track", "--penalty-k", "0.3", "--filter-weight", "0.5", "--scale-count", "9", "--lost-after", "7");
        var siamese = o.Tracker(TrackerPresets.Get("siamese").Settings);
        Assert.Equal(0.3f, siamese.Siamese.PenaltyK);
        Assert.Null(siamese.Filter);   // no filter stage: --filter-weight leaves the preset as it is
        Assert.Null(siamese.Scale);
        Assert.Equal(7, siamese.Lost!.LostAfter);
        var shipped = o.Tracker(TrackerPresets.Get("shipped").Settings);
        Assert.Equal(0.5f, shipped.Filter!.Weight);
        Assert.Equal(9, shipped.Scale!.Count);
        Assert.Equal(new TrackerConfig().WindowInfluence, shipped.Siamese.WindowInfluence);
        // --scale-filter puts the stage into a preset without it; --no-scale-filter takes it out.
        Assert.NotNull(CommandTree.Parse("track", "--scale-filter").Tracker(TrackerPresets.Get("siamese").Settings).Scale);
        Assert.Null(CommandTree.Parse("track", "--no-scale-filter").Tracker(TrackerPresets.Get("shipped").Settings).Scale);
        // A value the settings refuse is one line naming the stage.
        var bad = Assert.Throws<ArgumentException>(() => CommandTree.Parse("track", "--lost-below", "0.9").Tracker(TrackerPresets.Get("siamese").Settings));
        Assert.StartsWith("lost:", bad.Message);
    }

    [Fact]
    public void TrainOptionsSetTheConfigAndAResumedRunTakesOnlyItsLength()
    {
        var o = CommandTree.Parse("train", "--lr", "0.5", "--no-cycle", "--backbone", "resnet18", "--steps", "9");
        var c = o.Apply(new TrainConfig());
        Assert.Equal((0.5f, false, "resnet18", 9), (c.Lr, c.Cycle, c.Model.Backbone, c.Steps));
        var resumed = CommandTree.Parse("train", "--lr", "0.5", "--steps", "9");
        var r = resumed.Apply(new TrainConfig(), Ulast.Cli.TrainOptions.OnResume);
        Assert.Equal((new TrainConfig().Lr, 9), (r.Lr, r.Steps));
        var e = Assert.Throws<ArgumentException>(() => resumed.EnsureAllUsed("only --steps may change."));
        Assert.Contains("--lr", e.Message);
    }

    [Fact]
    public void AConfigWrittenBeforeTheScaleFilterMovedStillReads()
    {
        var json = new TrainConfig().ToJson().Replace("\"keep_aspect\": false", "\"keep_aspect\": false,\n    \"scale\": null");
        Assert.Contains("\"scale\": null", json);
        Assert.Equal(new TrainConfig().Tracker, TrainConfig.FromJson(json, "old.json").Tracker);
        var withValue = json.Replace("\"scale\": null", "\"scale\": {}");
        Assert.Throws<BadDataException>(() => TrainConfig.FromJson(withValue, "odd.json"));
    }

    [Fact]
    public void PostProcessingPrefersTheUnchangedSizeAndKeepsTheBoxInTheFrame()
    {
        var anchors = new AnchorConfig();
        var post = new SiamesePostProcessing(new TrackerConfig { PenaltyK = 0.5f, WindowInfluence = 0f, MinSize = 10f }, anchors);
        int k = anchors.Count;
        var scores = new float[k];
        var boxes = new float[k * 4];
        for (int i = 0; i < k; i++) (boxes[i * 4 + 2], boxes[i * 4 + 3]) = (40, 40);
        // Two anchors of the same score: one keeps the target's 40×40 size, the other doubles its width.
        (scores[10], scores[20]) = (0.8f, 0.8f);
        (boxes[10 * 4 + 2], boxes[20 * 4 + 2]) = (80, 40);
        var choice = post.Pick(scores, boxes, 40, 40, 1f, 0f);
        Assert.Equal(20, choice.Index);
        Assert.Equal(1f, choice.Penalty, 5);
        // The step moves the centre, smooths the size at penalty × score × lr, and clips to the frame and MinSize.
        var (cx, cy, w, h) = post.Step(40, 40, 500, -5, 2, 2, choice, 320, 240);
        Assert.Equal((320f, 0f), (cx, cy));
        float lr = choice.Penalty * choice.Raw * new TrackerConfig().Lr;
        Assert.Equal(MathF.Max(10f, 40 * (1 - lr) + 2 * lr), w, 4);
        Assert.True(h >= 10f);
        // The cosine window favours the centre when scores are equal.
        var flat = Enumerable.Repeat(0.5f, k).ToArray();
        var windowed = new SiamesePostProcessing(new TrackerConfig { WindowInfluence = 0.5f }, anchors).Pick(flat, boxes.Select((v, i) => i % 4 >= 2 ? 40f : v).ToArray(), 40, 40, 1f, 0.5f);
        int n = anchors.ScoreSize, cell = windowed.Index % (n * n);
        Assert.Equal((n / 2, n / 2), (cell / n, cell % n));
    }

    [Fact]
    public void TwoDevicesRunWithTheirOwnHostTuning()
    {
        using var plain = TestDevice.Cpu();
        using var tuned = TestDevice.Cpu();
        tuned.Tuning = tuned.Tuning with { Winograd = false, GemmVectorBits = 256, Threads = 1 };
        var rng = new Random(4);
        var x = TestDevice.Random(rng, 2 * 8 * 12 * 12);
        var w = TestDevice.Random(rng, 8 * 8 * 9, -0.3, 0.3);
        float[] Conv(Device d)
        {
            using var scope = new TensorScope();
            return Ops.Conv2d(Tensor.FromArray(d, x, 2, 8, 12, 12), Tensor.FromArray(d, w, 8, 8, 3, 3), padding: 1).ToArray();
        }
        float[] a = null!, b = null!;
        Parallel.Invoke(() => a = Conv(plain), () => b = Conv(tuned));   // side by side: no process-wide switch between them
        Assert.True(plain.Tuning.Winograd);
        for (int i = 0; i < a.Length; i++) Assert.True(MathF.Abs(a[i] - b[i]) <= 1e-4f * (1 + MathF.Abs(a[i])), $"{i}: {a[i]} vs {b[i]}");
        Assert.NotEqual(a, b);   // Winograd and im2col sum in different orders: the tuning did reach the second device
    }
}
