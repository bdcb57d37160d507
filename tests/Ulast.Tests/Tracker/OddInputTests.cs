using OpenCvSharp;
using Ulast.Cli;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Tests.Tracker;

/// <summary>
/// Inputs that parse but mean something else, and numbers out of any sane range: each is refused in one line that
/// names the file or option, or read as the user meant it. (The fuzz corpus holds the same classes as mutations.)
/// </summary>
[Collection("Console")]
public class OddInputTests
{
    // ------------------------------------------------------------ ground truth

    [Fact]
    public void AByteOrderMarkIsNotPartOfTheFirstNumber()
    {
        var boxes = GroundTruth.Parse("\uFEFF10,20,30,40\n11,21,30,40\n", "gt.txt", oneBased: false);
        Assert.Equal(new BoxF(10, 20, 30, 40), boxes[0]);
        Assert.Equal(2, boxes.Count);
    }

    [Theory]
    [InlineData("10,5 20,25 30,5 40,75\n")]
    [InlineData("10,5;20,25;30,5;40,75\n")]
    [InlineData("10,5\t20,25\t30,5\t40,75\n")]
    public void DecimalCommasAreRefusedNotSplitIntoAPolygon(string text)
    {
        var e = Assert.Throws<BadDataException>(() => GroundTruth.Parse(text, "gt.txt", oneBased: false));
        Assert.StartsWith("gt.txt:1: ", e.Message);
        Assert.Contains("decimal commas", e.Message);
    }

    [Theory]
    [InlineData("10, 20, 30, 40\n11, 21, 30, 40\n")]     // comma and space between numbers
    [InlineData("10 20 30 40\n")]
    [InlineData("10.5,20.25,30,40\n")]
    public void CommaSpaceSeparatorsAreNotMistakenForDecimalCommas(string text) =>
        Assert.True(GroundTruth.Parse(text, "gt.txt", oneBased: false)[0].IsValid);

    [Fact]
    public void ColumnCountsOtherThanFourOrEightAndMixedCountsAreRefused()
    {
        var six = Assert.Throws<BadDataException>(() => GroundTruth.Parse("1,2,3,4\n1,2,3,4,5,6\n", "gt.txt", false));
        Assert.Equal("gt.txt:2: expected 4 numbers (x,y,w,h) or 8 (a polygon x1,y1,…,x4,y4), found 6.", six.Message);
        var mixed = Assert.Throws<BadDataException>(() => GroundTruth.Parse("1,2,3,4\n1,1,5,1,5,4,1,4\n", "gt.txt", false));
        Assert.StartsWith("gt.txt:2: 8 numbers where line 1 has 4", mixed.Message);
        // Blank and NaN lines (absent target) do not count as another format.
        Assert.Equal(3, GroundTruth.Parse("1,2,3,4\nnan\n\n1,2,3,4\n", "gt.txt", false).Count(b => b.IsValid) + 1);
    }

    // ------------------------------------------------------------ frames

    [Fact]
    public void FramesNamedWithoutZeroPaddingAreReadInNumericOrder()
    {
        var names = new[] { "10.jpg", "9.jpg", "1.jpg", "2.jpg", "100.jpg", "frame_3.png", "007.jpg", "7.jpg" };
        Assert.Equal(new[] { "1.jpg", "2.jpg", "007.jpg", "7.jpg", "9.jpg", "10.jpg", "100.jpg", "frame_3.png" }, names.Order(NaturalOrder.Instance));
        Assert.True(NaturalOrder.Instance.Compare("img99999999999999999999.jpg", "img100000000000000000000.jpg") < 0);   // no overflow

        var dir = Directory.CreateTempSubdirectory("ulast-unpadded-").FullName;
        try
        {
            // Each frame's grey level is its number, so that the order read back can be checked by its pixels.
            foreach (int i in new[] { 1, 2, 3, 10, 11, 20 })
            {
                using var m = new Mat(24, 32, MatType.CV_8UC3, Scalar.All(i * 10));
                Cv2.ImWrite(Path.Combine(dir, $"{i}.png"), m);
            }
            var seq = SequenceLoader.Load(dir);
            Assert.Equal(new[] { "1.png", "2.png", "3.png", "10.png", "11.png", "20.png" }, seq.Frames.Select(Path.GetFileName));
            Assert.Equal(new[] { 10, 20, 30, 100, 110, 200 }, seq.ReadFrames().Select(m => { using (m) return (int)m.At<Vec3b>(0, 0).Item0; }));
        }
        finally { Directory.Delete(dir, true); }
    }

    [SkippableFact]
    public void ATruncatedJpegIsNamedOnceAndStillDecodes()
    {
        var source = Path.Combine(SequenceTests.Annotated, "Skiing", "img");
        Skip.IfNot(Directory.Exists(source), "shared data not found");
        var dir = Directory.CreateTempSubdirectory("ulast-truncated-").FullName;
        try
        {
            var files = Directory.GetFiles(source).Order().Take(3).ToArray();
            foreach (var f in files) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            var cut = Path.Combine(dir, Path.GetFileName(files[1]));
            File.WriteAllBytes(cut, File.ReadAllBytes(cut)[..20000]);
            var seq = SequenceLoader.Load(dir);
            Assert.Equal(new[] { cut }, seq.TruncatedFrames);
            Assert.Contains("1 JPEG frame(s) end early (first: " + Path.GetFileName(cut), Assert.Single(seq.Warnings));
            Assert.Equal(3, seq.ReadFrames().Count(m => { using (m) return !m.Empty(); }));
            Assert.False(SequenceLoader.IsTruncatedJpeg(files[0]));
        }
        finally { Directory.Delete(dir, true); }
    }

    // ------------------------------------------------------------ boxes

    [Theory]
    [InlineData(10, 10, 1e30f, 1e30f, "more than twice the 640×360 frame")]
    [InlineData(10, 10, 1e-40f, 1e-40f, "smaller than a pixel")]
    [InlineData(10, 10, float.NaN, 5, "is not a box")]
    [InlineData(10, 10, float.PositiveInfinity, 5, "is not a box")]
    [InlineData(-900, 10, 20, 20, "lies outside the 640×360 frame")]
    public void InitialBoxesOutOfAnySaneRangeAreRefused(float x, float y, float w, float h, string expected)
    {
        Assert.Contains(expected, new BoxF(x, y, w, h).InitProblem(640, 360));
        Assert.Null(new BoxF(600, 300, 100, 100).InitProblem(640, 360));   // partly outside: an object entering
        Assert.Contains("too small to track in", new BoxF(1, 1, 4, 4).InitProblem(8, 8));
    }

    [Fact]
    public void TheTrackerRefusesABoxAndAFrameItCannotStartFrom()
    {
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "small", Channels = 8, Width = 8 });
        using var tracker = new SiamRpnTracker(model);
        using var frame = new Mat(120, 160, MatType.CV_8UC3, Scalar.All(90));
        Assert.Contains("more than twice", Assert.Throws<ArgumentException>(() => tracker.Init(frame, new BoxF(5, 5, 1e30f, 1e30f))).Message);
        using var tiny = new Mat(8, 8, MatType.CV_8UC3, Scalar.All(90));
        Assert.Contains("too small to track in", Assert.Throws<ArgumentException>(() => tracker.Init(tiny, new BoxF(1, 1, 4, 4))).Message);
    }

    [Fact]
    public void ANetworkWhoseOutputIsNotFiniteStopsTheTrackerInsteadOfReportingABox()
    {
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "small", Channels = 8, Width = 8 });
        var bias = model.State().First(s => s.Name.EndsWith("cls.head2.bias", StringComparison.Ordinal)).Tensor;
        bias.CopyFrom(Enumerable.Repeat(float.NaN, bias.Shape.Aggregate(1, (a, b) => a * b)).ToArray());
        using var tracker = new SiamRpnTracker(model);
        using var frame = new Mat(120, 160, MatType.CV_8UC3, Scalar.All(90));
        tracker.Init(frame, new BoxF(60, 40, 30, 30));
        var e = Assert.Throws<BadDataException>(() => tracker.Track(frame));
        Assert.Contains("not finite at frame 1", e.Message);
    }

    // ------------------------------------------------------------ checkpoints

    private static string Saved(Action<SiameseRpn> change, string dir, Func<string, string>? config = null)
    {
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "small", Channels = 8, Width = 8 });
        change(model);
        var path = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".safetensors");
        if (config is null) Checkpoint.SaveModel(path, model);
        else Checkpoint.Save(path, model.State(), new Dictionary<string, string> { [Checkpoint.ConfigKey] = config(model.Config.ToJson()), ["format"] = "ulast" });
        return path;
    }

    private static void Fill(SiameseRpn model, string suffix, Func<int, float> value)
    {
        var t = model.State().First(s => s.Name.EndsWith(suffix, StringComparison.Ordinal)).Tensor;
        t.CopyFrom(Enumerable.Range(0, t.Shape.Aggregate(1, (a, b) => a * b)).Select(value).ToArray());
    }

    [Fact]
    public void CheckpointsWithWeightsNoTrainedNetworkHoldsAreRefusedAndSubnormalsFlushed()
    {
        var dir = Directory.CreateTempSubdirectory("ulast-weights-").FullName;
        try
        {
            using var dev = TestDevice.Cpu();
            var huge = Saved(m => Fill(m, "neck.0.conv.weight", i => i == 3 ? 1e30f : 0.01f), dir);
            Assert.Contains("beyond ±1e7", Assert.Throws<BadDataException>(() => Checkpoint.LoadModel(huge, dev)).Message);
            var zero = Saved(m => Fill(m, "neck.0.conv.weight", _ => 0f), dir);
            Assert.Contains("'neck.0.conv.weight' is all zero", Assert.Throws<BadDataException>(() => Checkpoint.LoadModel(zero, dev)).Message);
            var subnormal = Saved(m => Fill(m, "neck.0.conv.weight", i => i % 2 == 0 ? 1e-40f : 0.01f), dir);
            using var loaded = Checkpoint.LoadModel(subnormal, dev);
            var w = loaded.State().First(s => s.Name == "neck.0.conv.weight").Tensor.ToArray();
            Assert.Equal(0f, w[0]);
            Assert.Equal(0.01f, w[1]);
            // An untrained model's zero biases are legitimate.
            using var fresh = Checkpoint.LoadModel(Saved(_ => { }, dir), dev);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("\"score_size\":25", "\"score_size\":17", "a 17×17 score map")]
    [InlineData("\"stride\":8", "\"stride\":16", "anchor stride 16")]
    [InlineData("\"centre\":127", "\"centre\":100", "centre at 100")]
    [InlineData("\"template_cells\":7", "\"template_cells\":5", "the network gives 27×27")]
    public void ACheckpointWhoseConfigDisagreesWithItsNetworkIsRefused(string from, string to, string expected)
    {
        var dir = Directory.CreateTempSubdirectory("ulast-geometry-").FullName;
        try
        {
            using var dev = TestDevice.Cpu();
            var path = Saved(_ => { }, dir, c => { Assert.Contains(from, c); return c.Replace(from, to); });
            var e = Assert.Throws<BadDataException>(() => Checkpoint.LoadModel(path, dev));
            Assert.Contains(expected, e.Message);
            Assert.EndsWith("the config does not match the weights.", e.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    // ------------------------------------------------------------ files written

    [Fact]
    public void AFailedWriteLeavesNoTemporaryFileAndTheOldFileWhole()
    {
        var dir = Directory.CreateTempSubdirectory("ulast-atomic-").FullName;
        try
        {
            var path = Path.Combine(dir, "report.csv");
            File.WriteAllText(path, "old");
            // As a full disk does: the writer fails half way through its temporary file.
            Assert.Throws<IOException>(() => AtomicFile.Replace(path, tmp => { File.WriteAllText(tmp, "half"); throw new IOException("No space left on device"); }));
            Assert.Equal("old", File.ReadAllText(path));
            Assert.Equal(new[] { "report.csv" }, Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally { Directory.Delete(dir, true); }
    }

    // ------------------------------------------------------------ the command line

    [Theory]
    [InlineData("--out out/boxes/", "--out 'out/boxes/' ends in '/', so it names a folder")]
    [InlineData("--video /tmp/", "--video '/tmp/' ends in '/', so it names a folder")]
    [InlineData("--box 1,1,1e40,5", "--box 1,1,1e40,5: every number must be finite")]
    [InlineData("--box NaN,1,5,5", "every number must be finite")]
    public void BadOutputsAndBoxesAreUsageErrorsBeforeAnyWork(string options, string expected)
    {
        var (code, error) = CommandTests.RunCapturingErrors(new[] { "track", "--input", "no-such-sequence" }.Concat(options.Split(' ')).ToArray());
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("no-such-sequence", error);   // refused before the input was looked at
    }

    [SkippableFact]
    public void AHugeFirstGroundTruthBoxIsABadFileNamedWithItsLine()
    {
        var skiing = Path.Combine(SequenceTests.Annotated, "Skiing");
        Skip.IfNot(Directory.Exists(skiing), "shared data not found");
        var dir = Directory.CreateTempSubdirectory("ulast-hugebox-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "img"));
            foreach (var f in Directory.GetFiles(Path.Combine(skiing, "img")).Order().Take(3)) File.Copy(f, Path.Combine(dir, "img", Path.GetFileName(f)));
            var gt = Path.Combine(dir, "groundtruth_rect.txt");
            File.WriteAllText(gt, "446,181,1e30,1e30\n446,181,29,26\n446,181,29,26\n");
            var (code, error) = CommandTests.RunCapturingErrors(new[] { "track", "--input", dir, "--out", Path.Combine(dir, "boxes.txt") });
            Assert.Equal(1, code);
            Assert.Contains($"{gt}:1: the box 445,180,1e30,1e30 is more than twice the 640×360 frame", error);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("track")]
    [InlineData("eval")]
    [InlineData("train")]
    [InlineData("pseudo-label")]
    [InlineData("model")]
    [InlineData("bench track")]
    [InlineData("bench train")]
    [InlineData("gradcheck")]
    public void EveryOptionThatTakesAValueShowsItsDefault(string command)
    {
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        try { Assert.Equal(0, Program.Main(command.Split(' ').Append("--help").ToArray())); }
        finally { Console.SetOut(saved); }
        // An option line "  --name <value>   help": a value, so a default (or "(required)") must be said.
        var missing = output.ToString().Split('\n')
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+--[\w-]+ <[\w-]+>"))
            .Where(l => !l.Contains("[default:", StringComparison.Ordinal) && !l.Contains("(required)", StringComparison.Ordinal)).ToList();
        Assert.Empty(missing);
    }
}
