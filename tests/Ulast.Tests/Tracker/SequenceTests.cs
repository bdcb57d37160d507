using Ulast.Tracker.Data;
using Ulast.Tracker.IO;

namespace Ulast.Tests.Tracker;

public class SequenceTests
{
    public static readonly string SharedData = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data"));

    public static string Annotated => Path.Combine(SharedData, "annotated");

    /// <summary>The first <paramref name="n"/> frames of an image-folder sequence and their ground truth, for short tests.</summary>
    public static Sequence Head(Sequence s, int n) => new()
    {
        Name = s.Name, Path = s.Path, Format = s.Format, Frames = s.Frames.Take(n).ToList(), GroundTruth = s.GroundTruth.Take(n).ToList(),
        FrameCount = n, OneBased = s.OneBased,
    };

    public static IEnumerable<object[]> SharedSequences() =>
        new[] { "bag", "Crossing", "David", "Girl", "MotorRolling", "Skiing", "wakeboard7" }.Select(n => new object[] { n });

    [SkippableTheory]
    [MemberData(nameof(SharedSequences))]
    public void EverySharedSequenceLoads(string name)
    {
        Skip.IfNot(Directory.Exists(Annotated), $"shared data not found at {Annotated}");
        var seq = SequenceLoader.Load(Path.Combine(Annotated, name));
        Assert.True(seq.FrameCount > 50, $"{name}: {seq.FrameCount} frames");
        Assert.Equal(seq.FrameCount, seq.Frames.Count);
        Assert.Equal(seq.FrameCount, seq.GroundTruth.Count);
        Assert.True(seq.GroundTruth[0].IsValid);
        using var first = seq.ReadFrames().First();
        var g = seq.GroundTruth[0];
        Assert.InRange(g.Cx, 0, first.Width);
        Assert.InRange(g.Cy, 0, first.Height);
        if (name == "bag") Assert.Equal("vot", seq.Format);
        if (name == "David") Assert.EndsWith("0300.jpg", seq.Frames[0]);
    }

    [Fact]
    public void ParsesSeparatorsPolygonsAndBadLines()
    {
        var boxes = GroundTruth.Parse("1,2,3,4\n5\t6\t7\t8\n9 10 11 12\nNaN,NaN,NaN,NaN\n\n0,0,0,5", "t", oneBased: false);
        boxes.Add(GroundTruth.Parse("1,1,5,1,5,4,1,4", "t", oneBased: false)[0]);   // one file, one format: polygons alone
        Assert.Equal(7, boxes.Count);
        Assert.Equal(new BoxF(1, 2, 3, 4), boxes[0]);
        Assert.Equal(new BoxF(5, 6, 7, 8), boxes[1]);
        Assert.Equal(new BoxF(9, 10, 11, 12), boxes[2]);
        Assert.False(boxes[3].IsValid);
        Assert.False(boxes[4].IsValid);
        Assert.False(boxes[5].IsValid);                         // zero width
        Assert.Equal(new BoxF(1, 1, 4, 3), boxes[6]);           // polygon → bounding box
        Assert.Equal(new BoxF(0, 1, 3, 4), GroundTruth.Parse("1,2,3,4", "t", oneBased: true)[0]);
        Assert.Single(GroundTruth.Parse("1,2,3,4", "t", false));   // no final newline
    }

    [Fact]
    public void ShortGroundTruthAndEmptyBoxesAreTrackedWithAWarning()
    {
        var warnings = new List<string>();
        GroundTruth.Parse("1,2,3,4\n0,0,-5,5\n1,1,2,0\nNaN,NaN,NaN,NaN\n", "gt.txt", false, warnings);
        Assert.Equal("gt.txt: 2 line(s) with a zero or negative width or height (first: line 2) are skipped by the metrics.", Assert.Single(warnings));
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            using (var img = new OpenCvSharp.Mat(20, 30, OpenCvSharp.MatType.CV_8UC3, OpenCvSharp.Scalar.All(80)))
                for (int i = 1; i <= 6; i++) OpenCvSharp.Cv2.ImWrite(Path.Combine(dir.FullName, $"{i:00000000}.png"), img);
            File.WriteAllText(Path.Combine(dir.FullName, "groundtruth.txt"), "1,2,3,4\n1,2,3,4\n");
            var seq = SequenceLoader.Load(dir.FullName);
            Assert.Equal(6, seq.FrameCount);                       // every frame is tracked
            Assert.Equal(2, seq.EvalFrameCount);                   // the ones with ground truth are evaluated
            Assert.Contains("frames 3–6 are tracked but not evaluated", Assert.Single(seq.Warnings));
            File.WriteAllText(Path.Combine(dir.FullName, "groundtruth.txt"), string.Concat(Enumerable.Repeat("1,2,3,4\n", 8)));
            seq = SequenceLoader.Load(dir.FullName);
            Assert.Equal(6, seq.GroundTruth.Count);
            Assert.Contains("the last 2 line(s) are ignored", Assert.Single(seq.Warnings));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void MalformedFilesGiveClearErrors()
    {
        var e = Assert.Throws<BadDataException>(() => GroundTruth.Parse("1,2,3,4\n1,2,x,4\n", "gt.txt", false));
        Assert.Contains("gt.txt:2", e.Message);
        Assert.Contains("gt.txt:1", Assert.Throws<BadDataException>(() => GroundTruth.Parse("1,2,3\n", "gt.txt", false)).Message);
        Assert.Throws<FileNotFoundException>(() => GroundTruth.Read("/nonexistent/gt.txt", false));
        Assert.Throws<DirectoryNotFoundException>(() => SequenceLoader.Load("/nonexistent/sequence"));
        var dir = Directory.CreateTempSubdirectory();
        try
        {
            Assert.Throws<BadDataException>(() => SequenceLoader.Load(dir.FullName));   // no frames
            File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "x");
            Assert.Throws<BadDataException>(() => SequenceLoader.Load(Path.Combine(dir.FullName, "notes.txt")));
            // A frame that is not an image: loading lists it, reading it fails naming the file.
            File.WriteAllText(Path.Combine(dir.FullName, "00000001.jpg"), "not a jpeg");
            File.WriteAllText(Path.Combine(dir.FullName, "groundtruth.txt"), "1,2,3,4");
            var seq = SequenceLoader.Load(dir.FullName);
            Assert.Equal("got10k", seq.Format);
            Assert.Contains("00000001.jpg", Assert.Throws<BadDataException>(() => seq.ReadFrames().First()).Message);
        }
        finally { dir.Delete(true); }
    }

    [SkippableFact]
    public void VideoFilesLoad()
    {
        var video = Path.Combine(SharedData, "unlabeled", "tree.avi");
        Skip.IfNot(File.Exists(video), "shared video missing");
        var seq = SequenceLoader.Load(video);
        Assert.Equal("video", seq.Format);
        Assert.Equal(68, seq.ReadFrames().Count());
    }
}
