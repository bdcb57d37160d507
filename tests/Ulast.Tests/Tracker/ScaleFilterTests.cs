using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

public class ScaleFilterTests
{
    [Fact]
    public void FlatPatchHasNoGradientFeatures()
    {
        var pixels = Enumerable.Repeat(0.4f, 16 * 12).ToArray();
        var f = new float[GradientHistogram.Length(16, 12, 4)];
        GradientHistogram.Compute(pixels, 16, 12, 4, f);
        Assert.Equal(4 * 3 * GradientHistogram.Bins, f.Length);
        Assert.All(f, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void HorizontalEdgeFallsInTheVerticalGradientBin()
    {
        // Brightness changes along y only: the gradient points at 90°, the centre of bin 4 of 9.
        int w = 16, h = 16;
        var pixels = new float[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) pixels[y * w + x] = y < 8 ? 0.1f : 0.9f;
        var f = new float[GradientHistogram.Length(w, h, 4)];
        GradientHistogram.Compute(pixels, w, h, 4, f);
        float inBin4 = 0, elsewhere = 0;
        for (int i = 0; i < f.Length; i++) { if (i % GradientHistogram.Bins == 4) inBin4 += f[i]; else elsewhere += f[i]; }
        Assert.True(inBin4 > 0.5f, $"bin 4 holds {inBin4}");
        Assert.Equal(0f, elsewhere, 1e-6f);
        Assert.All(f, v => Assert.InRange(v, 0f, 0.8f + 1e-6f));     // four normalisations, each truncated at 0.2
    }

    [Fact]
    public void DiagonalGradientIsSharedBetweenNeighbouringBins()
    {
        // 45° lies between the centres of bins 1 (30°) and 2 (50°): 3/4 of it goes to bin 2, 1/4 to bin 1.
        int w = 12, h = 12;
        var pixels = new float[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) pixels[y * w + x] = 0.05f * (x + y);
        var f = new float[GradientHistogram.Length(w, h, 4)];
        GradientHistogram.Compute(pixels, w, h, 4, f);
        int at = 4 * GradientHistogram.Bins;          // the middle cell of 3×3: no pixel on the patch's border
        Assert.True(f[at + 2] > f[at + 1] && f[at + 1] > 0, $"bins 1, 2: {f[at + 1]}, {f[at + 2]}");
        for (int b = 0; b < GradientHistogram.Bins; b++) if (b is not (1 or 2)) Assert.Equal(0f, f[at + b]);
    }

    [Fact]
    public void SignedBinsTellARisingRampFromAFallingOne()
    {
        // Brightness rising along x points the gradient at 0°, falling at 180°: the same unsigned bins (8 and 0),
        // opposite signed ones (17 and 0 against 8 and 9).
        int w = 12, h = 12;
        float[] Ramp(float slope)
        {
            var p = new float[w * h];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) p[y * w + x] = 0.5f + slope * (x - 6);
            var f = new float[GradientHistogram.Length(w, h, 4, signed: true)];
            GradientHistogram.Compute(p, w, h, 4, f, signed: true);
            return f;
        }
        var up = Ramp(0.03f);
        var down = Ramp(-0.03f);
        int per = GradientHistogram.PerCell(signed: true), at = 4 * per;      // the middle cell
        Assert.Equal(27, per);
        for (int b = 0; b < GradientHistogram.Bins; b++) Assert.Equal(up[at + b], down[at + b], 1e-6f);
        int signedAt = at + GradientHistogram.Bins;
        Assert.True(up[signedAt + 0] > 0 && up[signedAt + 17] > 0 && up[signedAt + 8] == 0 && up[signedAt + 9] == 0);
        Assert.True(down[signedAt + 8] > 0 && down[signedAt + 9] > 0 && down[signedAt + 0] == 0 && down[signedAt + 17] == 0);
        // And the unsigned part is what the unsigned features alone give.
        var p9 = new float[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) p9[y * w + x] = 0.5f + 0.03f * (x - 6);
        var f9 = new float[GradientHistogram.Length(w, h, 4)];
        GradientHistogram.Compute(p9, w, h, 4, f9);
        for (int b = 0; b < GradientHistogram.Bins; b++) Assert.Equal(f9[4 * GradientHistogram.Bins + b], up[at + b], 1e-6f);
    }

    /// <summary>A textured frame: smoothed noise, the same for every test run.</summary>
    private static Mat Texture(int seed)
    {
        var rng = new Random(seed);
        var m = new Mat(240, 320, MatType.CV_8UC1);
        for (int y = 0; y < 240; y++) for (int x = 0; x < 320; x++) m.Set(y, x, (byte)rng.Next(256));
        Cv2.GaussianBlur(m, m, new Size(0, 0), 2.5);
        Cv2.Normalize(m, m, 0, 255, NormTypes.MinMax);
        return m;
    }

    private static Mat ScaledAbout(Mat m, float cx, float cy, float s)
    {
        using var warp = Cv2.GetRotationMatrix2D(new Point2f(cx, cy), 0, s);
        var o = new Mat();
        Cv2.WarpAffine(m, o, warp, m.Size(), InterpolationFlags.Linear, BorderTypes.Reflect);
        return o;
    }

    [Theory]
    [InlineData(1.10f)]
    [InlineData(0.90f)]
    [InlineData(1.00f)]
    public void RecoversAKnownScaleChange(float truth)
    {
        using var first = Texture(3);
        using var next = ScaledAbout(first, 160, 120, truth);
        foreach (bool signed in new[] { false, true })
        {
            var filter = new ScaleFilter(new ScaleConfig { Count = 17, SignedBins = signed });
            filter.Init(first, 160, 120, 60, 40);
            float s = filter.Estimate(next, 160, 120);
            Assert.Equal(truth, s, 0.02f);
            Assert.Equal(s, filter.Scale);
        }
    }

    [Fact]
    public void FollowsAGradualZoomOverManyFrames()
    {
        using var first = Texture(5);
        var filter = new ScaleFilter(new ScaleConfig());
        filter.Init(first, 160, 120, 50, 50);
        float truth = 1f;
        for (int t = 1; t <= 20; t++)
        {
            truth *= 0.98f;
            using var frame = ScaledAbout(first, 160, 120, truth);
            filter.Estimate(frame, 160, 120);
            filter.Update(frame, 160, 120);
        }
        Assert.Equal(truth, filter.Scale, 0.03f);
    }

    [Fact]
    public void RefusesBadSettings()
    {
        Assert.Throws<ArgumentException>(() => new ScaleFilter(new ScaleConfig { Count = 16 }));
        Assert.Throws<ArgumentException>(() => new ScaleFilter(new ScaleConfig { Step = 1f }));
        Assert.Throws<ArgumentException>(() => new ScaleFilter(new ScaleConfig { LearningRate = 0 }));
        Assert.Throws<ArgumentException>(() => new ScaleFilter(new ScaleConfig { ModelArea = 20 }));
    }

    [SkippableFact]
    [Trait("Category", "Slow")]   // over a minute on 2 cores: CI's second step
    public void TrackerWithTheScaleFilterKeepsTheFirstAspectAndFollowsDavidsFace()
    {
        var path = Path.Combine(SequenceTests.Annotated, "David");
        Skip.IfNot(Directory.Exists(path), "shared data missing");
        using var dev = TestDevice.Cpu();
        using var model = Checkpoint.LoadModel(LabelRefinerTests.ShippedModel(), dev);
        var seq = SequenceLoader.Load(path);
        var frames = seq.ReadFrames().Take(150).ToList();
        var init = seq.GroundTruth[0];
        List<BoxF> Run(ScaleConfig? scale)
        {
            using var t = new SiamRpnTracker(model, new TrackerSettings { Scale = scale, Filter = new FilterConfig() });
            t.Init(frames[0], init);
            return frames.Skip(1).Select(t.Track).ToList();
        }
        var boxes = Run(new ScaleConfig { Count = 17 });
        var regressed = Run(null);
        foreach (var b in boxes) Assert.Equal(init.W / init.H, b.W / b.H, 1e-3f);
        // David's face shrinks from 64×78 to 35×44 px by frame 150; the regressed box stays near its first size.
        double SizeError(List<BoxF> b) => Enumerable.Range(1, b.Count)
            .Average(i => Math.Abs(Math.Log(b[i - 1].W * b[i - 1].H / (seq.GroundTruth[i].W * seq.GroundTruth[i].H))));
        double withScale = SizeError(boxes), without = SizeError(regressed);
        Assert.True(withScale < 0.8 * without, $"mean |log area ratio|: {withScale:0.000} with the scale filter, {without:0.000} without");
        foreach (var f in frames) f.Dispose();
    }
}
