using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ulast.Tracker;

/// <summary>Everything that defines a network; stored inside every checkpoint.</summary>
public sealed record ModelConfig
{
    /// <summary>"small" (narrow, trained from scratch, real time on a 2-core CPU) or "resnet50" (SiamRPN++).</summary>
    public string Backbone { get; init; } = "small";
    /// <summary>Channels of the neck's output and of the RPN heads.</summary>
    public int Channels { get; init; } = 128;
    /// <summary>Base width of the backbone (64 is ResNet-50's; smaller values make tiny test models with the same names).</summary>
    public int Width { get; init; } = 64;
    public int TemplateSize { get; init; } = 127;
    public int SearchSize { get; init; } = 255;
    /// <summary>Template features are centre-cropped to this many cells (SiamRPN++: 15 → 7).</summary>
    public int TemplateCells { get; init; } = 7;
    public AnchorConfig Anchors { get; init; } = new();
    /// <summary>Build the CPT module (ULAST §6) that makes each next template in the training cycle (and the online memory template).</summary>
    public bool Cpt { get; init; } = true;
    /// <summary>CPT adds the first template back as a residual (the paper's ablation found this worse; off by default).</summary>
    public bool CptResidual { get; init; }
    public int Seed { get; init; } = 1;

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = false,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ModelConfig FromJson(string json) =>
        JsonSerializer.Deserialize<ModelConfig>(json, Json) ?? throw new InvalidDataException("Empty model config.");

    public void Validate()
    {
        if (Backbone is not ("small" or "resnet50")) throw new ArgumentException($"Unknown backbone '{Backbone}': expected small or resnet50.");
        if (Channels <= 0 || Width <= 0) throw new ArgumentException("Channels and width must be positive.");
    }

    /// <summary>The same network? (ignores nothing: every field shapes parameters or geometry)</summary>
    public bool SameAs(ModelConfig other) => ToJson() == other.ToJson();
}
