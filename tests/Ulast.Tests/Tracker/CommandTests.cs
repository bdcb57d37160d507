using OpenCvSharp;
using Ulast.Cli;
using Ulast.Cli.Commands;
using Ulast.Tracker.Data;
using Ulast.Tracker.PseudoLabels;
using Ulast.Tracker.Tracking;
using Ulast.Tracker.Training;

namespace Ulast.Tests.Tracker;

/// <summary>The commands end to end on shared data, in a temporary folder.</summary>
[Collection("Console")]
public class CommandTests
{
    [Fact]
    public void TrainLambdaCycleFlagReachesTheConfigAndIsChecked()
    {
        var dir = Directory.CreateTempSubdirectory("ulast-lc-").FullName;
        try
        {
            var path = Path.Combine(dir, "c.json");
            var saved = (Console.Out, Console.Error);
            var err = new StringWriter();
            Console.SetOut(new StringWriter()); Console.SetError(err);
            int ok, bad;
            try
            {
                ok = Program.Main(new[] { "train", "--write-config", path, "--lambda-cycle", "0.2", "--cycle-additive", "--cycle-frozen-backbone" });
                bad = Program.Main(new[] { "train", "--write-config", Path.Combine(dir, "bad.json"), "--lambda-cycle", "1.5" });
            }
            finally { Console.SetOut(saved.Out); Console.SetError(saved.Error); }
            Assert.Equal(0, ok);
            var written = TrainConfig.FromJson(File.ReadAllText(path), path);
            Assert.Equal(0.2f, written.LambdaCycle);
            Assert.True(written.CycleAdditive);
            Assert.False(written.CycleBackboneGrad);
            Assert.NotEqual(0, bad);
            Assert.Contains("--lambda-cycle must lie in [0, 1], got 1.5.", err.ToString());
            Assert.False(File.Exists(Path.Combine(dir, "bad.json")));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Theory]
    [InlineData("track", "ulast track [options]")]
    [InlineData("eval", "--trackers <trackers>")]
    [InlineData("device", "ulast device [options]")]
    [InlineData("train", "--train-only <train-only>")]
    [InlineData("pseudo-label", "--quality")]
    [InlineData("gradcheck", "--op <op>")]
    [InlineData("model", "--imagenet <imagenet>")]
    public void HelpOnEveryCommandPrintsItsUsageAndRunsNothing(string command, string expected)
    {
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        // --device cuda would fail on this machine if the command ran instead of printing its help.
        try { Assert.Equal(0, Program.Main(new[] { command, "--device", "cuda", "--help" })); }
        finally { Console.SetOut(saved); }
        Assert.Contains("Usage:", output.ToString());
        Assert.Contains(expected, output.ToString());
        Assert.DoesNotContain("device:", output.ToString());
    }

    [Theory]
    [InlineData("--frames 0", "--frames must be at least 1, got 0.")]
    [InlineData("--frames 2.5", "Cannot parse argument '2.5' for option '--frames'")]
    [InlineData("--penalty-k NaN", "--penalty-k must be a finite number")]
    [InlineData("--no-such-option", "Unrecognized command or argument '--no-such-option'")]
    [InlineData("--scale-count 999999", "--scale-count must lie in [3, 65], got 999999.")]
    [InlineData("--filter-capacity 100000000", "--filter-capacity must lie in [1, 500], got 100000000.")]
    [InlineData("--filter-lambda 1e30", "--filter-lambda must lie in [1E-08, 1000000], got 1e30.")]
    [InlineData("--window-influence 7", "--window-influence must lie in [0, 1], got 7.")]
    public void UsageErrorsExit2WithTheirReason(string options, string expected)
    {
        var (code, error) = RunCapturingErrors(new[] { "track", "--input", "x" }.Concat(options.Split(' ')).ToArray());
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.Contains("Run 'ulast track --help' for usage.", error);
    }

    /// <summary>The program's exit code and what it wrote to standard error.</summary>
    internal static (int Code, string Error) RunCapturingErrors(string[] args)
    {
        var error = new StringWriter();
        var saved = Console.Error;
        Console.SetError(error);
        try { return (Program.Main(args), error.ToString()); }
        finally { Console.SetError(saved); }
    }

    [Theory]
    [InlineData("trak", "'trak' is not a ulast command; did you mean 'track'?")]
    [InlineData("evaluate", "'evaluate' is not a ulast command; did you mean 'eval'?")]
    [InlineData("bench trian", "'bench trian' is not a ulast command; did you mean 'bench train'?")]
    [InlineData("frobnicate", "the commands are track, eval,")]
    public void AMisspeltCommandIsAnsweredWithTheNearestOne(string words, string expected)
    {
        var (code, error) = RunCapturingErrors(words.Split(' ').Append("--frames").Append("3").ToArray());
        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("Required command", error);
    }

    [Fact]
    public void AnEmptyTrackerListIsAUsageError()
    {
        var (code, error) = RunCapturingErrors(new[] { "eval", "--trackers", "", "--out", Path.Combine(Path.GetTempPath(), "ulast-never") });
        Assert.Equal(2, code);
        Assert.Contains("--trackers is empty", error);
    }

    [SkippableTheory]
    [InlineData("track")]
    [InlineData("eval")]
    [InlineData("pseudo-label")]
    public void AnUnwritableOutputFailsBeforeTheWorkStarts(string command)
    {
        var girl = Path.Combine(SequenceTests.Annotated, "Girl");
        Skip.IfNot(Directory.Exists(girl), "shared data missing");
        // A path below a plain file cannot be created, even by root.
        var file = Path.GetTempFileName();
        var output = new StringWriter();
        var error = new StringWriter();
        var (savedOut, savedErr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            string[] args = command switch
            {
                "track" => new[] { "track", "--input", girl, "--out", Path.Combine(file, "boxes.txt") },
                "eval" => new[] { "eval", "--data", SequenceTests.Annotated, "--sequences", "Girl", "--trackers", "kcf", "--out", Path.Combine(file, "eval") },
                _ => new[] { "pseudo-label", "--input", girl, "--out", Path.Combine(file, "labels.json") },
            };
            Assert.Equal(1, Program.Main(args));
        }
        finally { Console.SetOut(savedOut); Console.SetError(savedErr); File.Delete(file); }
        var lines = error.ToString().Trim().Split('\n');
        Assert.Single(lines);
        Assert.Contains("--out", lines[0]);
        Assert.Contains("cannot be written", lines[0]);
        Assert.DoesNotContain("frames", output.ToString()); // nothing was tracked or labelled
    }

    [Fact]
    public void BenchHelpNamesItsSubcommand()
    {
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        try { Assert.Equal(0, Program.Main(new[] { "bench", "kernels", "--help" })); }
        finally { Console.SetOut(saved); }
        Assert.Contains("ulast bench kernels", output.ToString());
        Assert.DoesNotContain("ulast bench train", output.ToString());
    }

    [Fact]
    public void AMissingOpenCvLibraryIsNamedWithItsInstallCommand()
    {
        var missing = new TypeInitializationException("OpenCvSharp.NativeMethods",
            new DllNotFoundException("Unable to load shared library 'OpenCvSharpExtern' or one of its dependencies."));
        Assert.Contains("apt-get install -y libgtk-3-0", Program.MissingNativeLibrary(missing));
        Assert.Null(Program.MissingNativeLibrary(new DllNotFoundException("libfoo")));
    }

    [SkippableFact]
    public void PseudoLabelResumesAndReportsUnreadableVideos()
    {
        var video = Path.Combine(SequenceTests.SharedData, "unlabeled", "tree.avi");
        Skip.IfNot(File.Exists(video), "shared video missing");
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var input = Directory.CreateDirectory(Path.Combine(dir.FullName, "in")).FullName;
            File.CreateSymbolicLink(Path.Combine(input, "tree.avi"), video);
            File.WriteAllText(Path.Combine(input, "broken.mp4"), "this is not a video");
            var labels = Path.Combine(dir.FullName, "labels.json");
            Assert.Equal(0, PseudoLabelCommand.Run(CommandTree.Parse("pseudo-label", "--input", input, "--out", labels)));
            var first = LabelsFile.Read(labels);
            Assert.Equal(68, first.Videos["tree"].Frames);
            Assert.Contains("broken", first.Failed.Keys);
            Assert.True(File.Exists(Path.ChangeExtension(labels, ".jpg")));
            var stamp = File.GetLastWriteTimeUtc(labels);
            var output = new StringWriter();
            var saved = Console.Out;
            Console.SetOut(output);
            try { Assert.Equal(0, PseudoLabelCommand.Run(CommandTree.Parse("pseudo-label", "--input", input, "--out", labels))); }
            finally { Console.SetOut(saved); }
            Assert.Contains("tree: already labelled, skipped", output.ToString());
            Assert.Contains("broken: already labelled, skipped", output.ToString());
        }
        finally { dir.Delete(true); }
    }

    [SkippableFact]
    public void PseudoLabelGivesTheSameLabelsWithOneJobOrTwo()
    {
        var video = Path.Combine(SequenceTests.SharedData, "unlabeled", "tree.avi");
        Skip.IfNot(File.Exists(video), "shared video missing");
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var input = Directory.CreateDirectory(Path.Combine(dir.FullName, "in")).FullName;
            // Three names for one video, so the two jobs finish in either order; snapping draws from OpenCV's per-thread RNG.
            foreach (var name in new[] { "c", "a", "b" }) File.CreateSymbolicLink(Path.Combine(input, name + ".avi"), video);
            var cfg = Path.Combine(dir.FullName, "snap.json");
            File.WriteAllText(cfg, "{ \"snap_boxes\": true }");
            string Label(int jobs)
            {
                var path = Path.Combine(dir.FullName, $"labels-{jobs}.json");
                Assert.Equal(0, PseudoLabelCommand.Run(CommandTree.Parse("pseudo-label", "--input", input, "--out", path, "--config", cfg, "--jobs", jobs.ToString())));
                return File.ReadAllText(path);
            }
            var one = Label(1);
            Assert.Equal(one, Label(2));
            var file = LabelsFile.Read(Path.Combine(dir.FullName, "labels-2.json"));
            Assert.Equal(new[] { "a", "b", "c" }, file.Videos.Keys.ToArray());
            Assert.True(file.Videos["a"].Boxes.Count(b => b is not null) > 0);
        }
        finally { dir.Delete(true); }
    }

    [SkippableFact]
    public void TrackWritesBoxesAndARenderedVideo()
    {
        var seq = Path.Combine(SequenceTests.Annotated, "Girl");
        Skip.IfNot(Directory.Exists(seq), "shared data missing");
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            var boxes = Path.Combine(dir.FullName, "girl.txt");
            var video = Path.Combine(dir.FullName, "girl.mp4");
            Assert.Equal(0, TrackCommand.Run(CommandTree.Parse("track", "--input", seq, "--frames", "12", "--out", boxes, "--video", video, "--device", "cpu", "--channels", "32")));
            var lines = File.ReadAllLines(boxes);
            Assert.Equal(12, lines.Length);
            Assert.Equal("57,21,31,45,1,tracking", lines[0]);   // the first ground truth, written back 1-based, with its score and state
            var track = TrackOutput.Parse(File.ReadAllText(boxes), boxes, oneBased: true);
            Assert.All(track, f => Assert.InRange(f.Score, 0f, 1f));
            using var cap = new VideoCapture(video);
            Assert.True(cap.IsOpened());
            Assert.Equal(12, cap.FrameCount);
            Assert.Throws<ArgumentException>(() => TrackCommand.Run(CommandTree.Parse("track", "--input", seq, "--box", "1,2,3")));
            // The shipped model with and without the discriminative filter [ours] (on by default; here alone and learning from every frame).
            string[] Track(string name, params string[] extra)
            {
                var path = Path.Combine(dir.FullName, name);
                Assert.Equal(0, TrackCommand.Run(CommandTree.Parse("track", new[] { "--input", seq, "--frames", "12", "--out", path, "--device", "cpu" }.Concat(extra).ToArray())));
                return File.ReadAllLines(path);
            }
            var plain = Track("plain.txt", "--preset", "siamese");
            var four = Track("plain4.txt", "--preset", "siamese", "--plain");   // --plain: the four columns of ground truth, the same boxes
            Assert.Equal(plain.Select(l => string.Join(",", l.Split(',').Take(4))), four);
            var filtered = Track("dcf.txt", "--filter-weight", "1", "--filter-interval", "1");
            Assert.Equal(12, filtered.Length);
            Assert.Equal(lines[0], filtered[0]);
            Assert.NotEqual(plain, filtered);
            var bad = Assert.Throws<ArgumentException>(() => TrackCommand.Run(CommandTree.Parse("track", "--input", seq, "--filter-weight", "1.5")));
            Assert.Contains("--filter-weight must lie in [0, 1], got 1.5", bad.Message);
            // DSST's scale filter [ours] comes with the discriminative filter; without it the size is the regression's.
            var unscaled = Track("dcf-regression.txt", "--filter-weight", "1", "--filter-interval", "1", "--no-scale-filter");
            Assert.NotEqual(filtered, unscaled);
            var plainScaled = Track("plain-scale.txt", "--preset", "siamese", "--scale-filter");
            Assert.NotEqual(plain, plainScaled);
            var both = Assert.Throws<ArgumentException>(() => TrackCommand.Run(CommandTree.Parse("track", "--input", seq, "--scale-filter", "--no-scale-filter")));
            Assert.Contains("contradict", both.Message);
            var even = Assert.Throws<ArgumentException>(() => TrackCommand.Run(CommandTree.Parse("track", "--input", seq, "--scale-count", "16")));
            Assert.Contains("scale: scale count must be odd, from 3 to 65, got 16", even.Message);
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void LasotAndGot10kLayoutsAreRecognised()
    {
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            using var img = new Mat(40, 50, MatType.CV_8UC3, Scalar.All(100));
            var lasot = Directory.CreateDirectory(Path.Combine(dir.FullName, "cat-1", "img")).Parent!.FullName;
            for (int i = 1; i <= 3; i++) Cv2.ImWrite(Path.Combine(lasot, "img", $"{i:00000000}.jpg"), img);
            File.WriteAllText(Path.Combine(lasot, "groundtruth.txt"), "11,12,10,8\n12,12,10,8\n0,0,0,0");
            var l = SequenceLoader.Load(lasot);
            Assert.Equal("lasot", l.Format);
            Assert.Equal(new BoxF(10, 11, 10, 8), l.GroundTruth[0]);   // 1-based → 0-based
            Assert.False(l.GroundTruth[2].IsValid);
            var got = Directory.CreateDirectory(Path.Combine(dir.FullName, "GOT-10k_Val_000001")).FullName;
            for (int i = 1; i <= 3; i++) Cv2.ImWrite(Path.Combine(got, $"{i:00000000}.jpg"), img);
            File.WriteAllText(Path.Combine(got, "groundtruth.txt"), "5.5,6,10,8\n5,6,10,8\n5,6,10,8\n");
            var g = SequenceLoader.Load(got);
            Assert.Equal("got10k", g.Format);
            Assert.Equal(new BoxF(5.5f, 6, 10, 8), g.GroundTruth[0]);
            Assert.Equal(2, SequenceLoader.LoadAll(dir.FullName).Count);
        }
        finally { dir.Delete(true); }
    }
}
