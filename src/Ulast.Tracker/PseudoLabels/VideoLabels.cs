using System.Text.Json;
using System.Text.Json.Serialization;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;

namespace Ulast.Tracker.PseudoLabels;

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

    /// <summary>Frames inside the reliable segments.</summary>
    [JsonIgnore] public int ReliableFrames => Segments.Sum(s => s[1] - s[0] + 1);

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
    /// <summary>Set when a second round (<see cref="LabelRefiner"/>) has run over these labels; null for motion labels alone.</summary>
    public RefineRecord? Refined { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static LabelsFile Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Labels file '{path}' does not exist.", path);
        LabelsFile? file;
        try { file = JsonSerializer.Deserialize<LabelsFile>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new BadDataException($"'{path}' is not a valid labels file: {e.Message}", e); }
        catch (ArgumentException e) { throw new BadDataException($"'{path}' is not a valid labels file: {e.Message}", e); }
        if (file is null) throw new BadDataException($"'{path}' is empty (null), not a labels file.");
        file.Check(path);
        return file;
    }

    /// <summary>Every count and box consistent, so that no reader indexes past an array or trains on NaN.</summary>
    public void Check(string path)
    {
        BadDataException Bad(string what) => new($"'{path}' is not a valid labels file: {what}.");
        if (Config is null) throw Bad("\"config\" is null");
        if (Videos is null) throw Bad("\"videos\" is null");
        if (Failed is null) throw Bad("\"failed\" is null");
        foreach (var (name, v) in Videos)
        {
            string n = BadDataException.Quote(name, 40);
            if (v is null) throw Bad($"video '{n}' is null");
            if (v.Source is null) throw Bad($"video '{n}' has no source");
            if (v.Frames < 0 || v.Width < 0 || v.Height < 0) throw Bad($"video '{n}' has a negative frame count or size");
            if (v.Boxes is null || v.Boxes.Length != v.Frames) throw Bad($"video '{n}' has {v.Boxes?.Length ?? 0} boxes for {v.Frames} frames");
            if (v.Quality is null || v.Quality.Length != v.Frames) throw Bad($"video '{n}' has {v.Quality?.Length ?? 0} qualities for {v.Frames} frames");
            for (int f = 0; f < v.Frames; f++)
            {
                var b = v.Boxes[f];
                if (b is not null && (b.Length != 4 || !b.All(float.IsFinite) || b[2] <= 0 || b[3] <= 0)) throw Bad($"video '{n}', frame {f}: a box is 4 finite numbers x, y, w > 0, h > 0, or null");
                if (!float.IsFinite(v.Quality[f])) throw Bad($"video '{n}', frame {f}: quality is not finite");
            }
            if (v.Segments is null) throw Bad($"video '{n}' has no segments");
            foreach (var seg in v.Segments)
                if (seg is null || seg.Length != 2 || seg[0] < 0 || seg[1] < seg[0] || seg[1] >= v.Frames) throw Bad($"video '{n}' has a segment outside its {v.Frames} frames");
        }
        if (Refined is not null && (Refined.Model is null || Refined.Settings is null || Refined.Done is null)) throw Bad("\"refined\" lacks its model, settings or list of videos");
        foreach (var (name, reason) in Failed)
            if (reason is null) throw Bad($"failed video '{BadDataException.Quote(name, 40)}' has no reason");
    }

    public void Write(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));
}

/// <summary>Which model and settings refined a labels file, and which of its videos are done (a run resumes after them).</summary>
public sealed class RefineRecord
{
    public required string Model { get; init; }
    public required LabelRefineConfig Settings { get; init; }
    public List<string> Done { get; init; } = new();
}
