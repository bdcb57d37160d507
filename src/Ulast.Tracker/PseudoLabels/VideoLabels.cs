using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ulast.Tracker;

/// <summary>Pseudo labels of one video: a box (or null) and a quality per frame, the video's quality and its reliable segments.</summary>
public sealed class VideoLabels
{
    public required string Source { get; init; }
    public int Frames { get; init; }
    public int Width { get; init; }
    public int Height { get; init; }
    /// <summary>Per frame x, y, w, h (0-based pixels) or null.</summary>
    public required float[]?[] Boxes { get; init; }
    public required float[] Quality { get; init; }
    public float VideoQuality { get; init; }
    /// <summary>Inclusive frame ranges [start, end] of reliable frames.</summary>
    public required int[][] Segments { get; init; }
    public bool Dropped { get; init; }
    public string? Reason { get; init; }

    public BoxF Box(int frame) => Boxes[frame] is { } b ? new BoxF(b[0], b[1], b[2], b[3]) : BoxF.Invalid;

    /// <summary>The reliable segment holding a frame, or null.</summary>
    public int[]? SegmentOf(int frame) => Segments.FirstOrDefault(s => s[0] <= frame && frame <= s[1]);
}

/// <summary>The labels file: every video's labels, keyed by name, plus the configuration that made them.</summary>
public sealed class LabelsFile
{
    public int Version { get; init; } = 1;
    public PseudoLabelConfig Config { get; init; } = new();
    public Dictionary<string, VideoLabels> Videos { get; init; } = new();
    /// <summary>Videos that could not be read, with the reason.</summary>
    public Dictionary<string, string> Failed { get; init; } = new();

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static LabelsFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Labels file '{path}' does not exist.", path);
        try { return JsonSerializer.Deserialize<LabelsFile>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"'{path}' is empty."); }
        catch (JsonException e) { throw new InvalidDataException($"'{path}' is not a valid labels file: {e.Message}"); }
    }

    public void Write(string path)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json));
        File.Move(tmp, full, overwrite: true);
    }
}
