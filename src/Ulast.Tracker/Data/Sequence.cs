using OpenCvSharp;
using Ulast.Tracker.IO;

namespace Ulast.Tracker.Data;

/// <summary>A tracking sequence: an image folder or a video, with ground truth where there is one.</summary>
public sealed class Sequence
{
    public required string Name { get; init; }
    public required string Path { get; init; }
    /// <summary>otb, uav123, lasot, got10k, vot, images or video.</summary>
    public required string Format { get; init; }
    public IReadOnlyList<string> Frames { get; init; } = Array.Empty<string>();
    public string? VideoPath { get; init; }
    public IReadOnlyList<BoxF> GroundTruth { get; init; } = Array.Empty<BoxF>();
    /// <summary>The ground-truth file counts pixels from 1 (OTB, UAV123, LaSOT); boxes are stored 0-based.</summary>
    public bool OneBased { get; init; }
    /// <summary>The ground-truth file, for messages about its lines.</summary>
    public string? GroundTruthPath { get; init; }
    public string GroundTruthSource => GroundTruthPath ?? $"'{Path}' (ground truth)";
    public int FrameCount { get; init; }

    public bool HasGroundTruth => GroundTruth.Count > 0;
    /// <summary>Frames that one-pass evaluation covers: those with a ground-truth line (tracking covers every frame).</summary>
    public int EvalFrameCount => HasGroundTruth ? Math.Min(FrameCount, GroundTruth.Count) : FrameCount;
    /// <summary>What a user should know about the files (skipped ground-truth lines, counts that disagree).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();
    /// <summary>Frames that are truncated JPEGs (no end-of-image marker): named once in <see cref="Warnings"/>, decoded without libjpeg's line per file.</summary>
    public IReadOnlySet<string> TruncatedFrames { get; init; } = new HashSet<string>();

    /// <summary>Decodes the frames in order (BGR, 8-bit). An unreadable frame is an error naming it.</summary>
    public IEnumerable<Mat> ReadFrames()
    {
        if (VideoPath is not null)
        {
            using var cap = new VideoCapture(VideoPath);
            if (!cap.IsOpened()) throw new BadDataException($"Cannot open video '{VideoPath}'.");
            for (int read = 0; ; read++)
            {
                var m = new Mat();
                if (!cap.Read(m) || m.Empty())
                {
                    m.Dispose();
                    if (read == 0) throw new BadDataException($"Video '{VideoPath}' holds no decodable frame.");
                    yield break;
                }
                yield return m;
            }
        }
        foreach (var f in Frames)
        {
            var m = TruncatedFrames.Contains(f) ? NativeStderr.Silenced(() => Cv2.ImRead(f, ImreadModes.Color)) : Cv2.ImRead(f, ImreadModes.Color);
            if (m.Empty()) { m.Dispose(); throw new BadDataException($"Cannot read frame '{f}'."); }
            yield return m;
        }
    }
}
