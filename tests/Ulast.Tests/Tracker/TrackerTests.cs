using Ulast.Tracker.Data;
using Ulast.Tracker.Evaluation;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

public class TrackerTests
{
    [SkippableFact]
    public void UntrainedSmallModelTracksASharedSequenceWithoutNaN()
    {
        var path = Path.Combine(SequenceTests.Annotated, "Girl");
        Skip.IfNot(Directory.Exists(path), "shared data missing");
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "small", Channels = 32, Width = 16 });
        var seq = SequenceLoader.Load(path);
        using var tracker = new UlastVisualTracker(model);
        var r = Evaluator.Run(tracker, SequenceTests.Head(seq, 25));
        Assert.Equal(25, r.Boxes.Count);
        using var first = seq.ReadFrames().First();
        foreach (var b in r.Boxes)
        {
            Assert.True(b.IsValid, $"box {b}");
            Assert.InRange(b.Cx, 0, first.Width);
            Assert.InRange(b.Cy, 0, first.Height);
        }
        Assert.InRange(r.Auc, 0, 1);
    }

    [SkippableFact]
    public void KeepAspectHoldsTheFirstBoxRatioWhileTheScaleMoves()
    {
        var path = Path.Combine(SequenceTests.Annotated, "Girl");
        Skip.IfNot(Directory.Exists(path), "shared data missing");
        // the shipped model: an untrained network regresses no size change to speak of
        using var dev = TestDevice.Cpu();
        using var model = Checkpoint.LoadModel(LabelRefinerTests.ShippedModel(), dev);
        var seq = SequenceLoader.Load(path);
        var frames = seq.ReadFrames().Take(15).ToList();
        var init = seq.GroundTruth[0];
        List<BoxF> Run(bool keep)
        {
            using var t = new SiamRpnTracker(model, new TrackerSettings { Siamese = new TrackerConfig { KeepAspect = keep, Lr = 0.5f } });
            t.Init(frames[0], init);
            return frames.Skip(1).Select(t.Track).ToList();
        }
        var free = Run(false);
        var kept = Run(true);
        float ratio = init.W / init.H;
        foreach (var b in kept) Assert.Equal(ratio, b.W / b.H, 1e-4f);
        Assert.Contains(kept, b => MathF.Abs(b.W - init.W) > 0.5f);                    // the scale does move
        Assert.Contains(free, b => MathF.Abs(b.W / b.H - ratio) > 1e-3f * ratio);      // and without it the ratio does too
        foreach (var f in frames) f.Dispose();
    }

    [SkippableFact]
    public void MilGivesTheSameBoxesEveryRun()
    {
        // MIL's Haar features come from libc's rand(): without seeding it, a second run in the same process
        // starts from another generator state and drifts elsewhere.
        var path = Path.Combine(SequenceTests.Annotated, "Crossing");
        Skip.IfNot(Directory.Exists(path), "shared data missing");
        var seq = SequenceLoader.Load(path);
        var shortSeq = SequenceTests.Head(seq, 30);
        List<BoxF> Run() { using var mil = new OpenCvVisualTracker("mil"); return Evaluator.Run(mil, shortSeq).Boxes.ToList(); }
        var first = Run();
        var second = Run();
        Assert.Equal(first, second);
        Assert.NotEqual(first[0], first[^1]); // it tracked: the box moved
    }

    [Fact]
    public void InitRejectsBoxesOutsideTheFrame()
    {
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Channels = 16, Width = 8 });
        using var tracker = new SiamRpnTracker(model);
        using var frame = new OpenCvSharp.Mat(100, 120, OpenCvSharp.MatType.CV_8UC3, OpenCvSharp.Scalar.All(90));
        Assert.Throws<ArgumentException>(() => tracker.Init(frame, new BoxF(500, 10, 20, 20)));
        Assert.Throws<ArgumentException>(() => tracker.Init(frame, new BoxF(10, 10, 0, 20)));
        Assert.Throws<InvalidOperationException>(() => tracker.Track(frame));
    }

    [Fact]
    public void ModelShapes()
    {
        using var dev = TestDevice.Cpu();
        foreach (var backbone in new[] { "small", "resnet50" })
        {
            using var model = new SiameseRpn(dev, new ModelConfig { Backbone = backbone, Channels = 16, Width = 8 });
            using var s = new TensorScope();
            using var ng = GradMode.NoGrad();
            var z = Tensor.FromArray(dev, TestDevice.Random(new Random(1), 3 * 127 * 127, 0, 255), 1, 3, 127, 127);
            var x = Tensor.FromArray(dev, TestDevice.Random(new Random(2), 3 * 255 * 255, 0, 255), 1, 3, 255, 255);
            var zf = model.TemplateFeatures(z);
            var xf = model.SearchFeatures(x);
            Assert.All(zf, f => Assert.Equal(new[] { 1, 16, 7, 7 }, f.Shape));
            Assert.All(xf, f => Assert.Equal(new[] { 1, 16, 31, 31 }, f.Shape));
            var (cls, loc) = model.Head(model.Kernels(zf), xf);
            Assert.Equal(new[] { 1, 5, 25, 25 }, cls.Shape);
            Assert.Equal(new[] { 1, 20, 25, 25 }, loc.Shape);
            Assert.All(cls.ToArray(), v => Assert.True(float.IsFinite(v)));
        }
    }
}

public class TrackerGeometryTests
{
    [Fact]
    public void ZeroDeltasAndFlatScoresKeepTheTargetCentre()
    {
        // With every delta 0 and every logit equal, the cosine window picks the middle cell, whose
        // anchors sit on the crop centre: the tracker must not move the target's centre at all.
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Channels = 16, Width = 8 });
        foreach (var (name, t) in model.State())
            if (name.Contains(".head2.", StringComparison.Ordinal)) t.Fill(0f);
        using var tracker = new SiamRpnTracker(model);
        using var frame = new OpenCvSharp.Mat(240, 320, OpenCvSharp.MatType.CV_8UC3);
        OpenCvSharp.Cv2.SetTheRNG(0xFFFFFFFF);   // OpenCV's generator is per thread, moved by earlier tests on it: its initial state, in any test order
        OpenCvSharp.Cv2.Randu(frame, OpenCvSharp.Scalar.All(0), OpenCvSharp.Scalar.All(255));
        var start = new BoxF(100.5f, 80.25f, 40, 30);
        tracker.Init(frame, start);
        for (int i = 0; i < 5; i++)
        {
            var b = tracker.Track(frame);
            Assert.Equal(start.Cx, b.Cx, 3);
            Assert.Equal(start.Cy, b.Cy, 3);
            Assert.Equal(0.5f, tracker.LastScore, 5);
        }
    }
}
