using System.Text.Json;
using System.Text.Json.Serialization;
using Ulast.Tracker.Anchors;
using Ulast.Tracker.IO;

namespace Ulast.Tracker.Model;

/// <summary>Everything that defines a network; stored inside every checkpoint.</summary>
public sealed record ModelConfig
{
    /// <summary>
    /// "small" (narrow, trained from scratch, real time on a 2-core CPU), "resnet18" (ImageNet's ResNet-18 to layer2 or
    /// layer3, imported by `ulast model --imagenet`) or "resnet50" (SiamRPN++).
    /// </summary>
    public string Backbone { get; init; } = "small";
    /// <summary>resnet18 only: the ResNet layers whose outputs feed the neck, one feature level each (2, 3 or 2 and 3); empty = <see cref="DefaultResNet18Layers"/>.</summary>
    public int[] Layers { get; init; } = Array.Empty<int>();
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

    /// <summary>A model config from JSON (a checkpoint's metadata): malformed or implausible ones are <see cref="BadDataException"/>s naming <paramref name="source"/>.</summary>
    public static ModelConfig FromJson(string json, string source = "model config")
    {
        ModelConfig? c;
        try { c = JsonSerializer.Deserialize<ModelConfig>(json, Json); }
        catch (JsonException e) { throw new BadDataException($"'{source}' holds a corrupt model config: {e.Message}", e); }
        if (c is null || !c.IsComplete)
            throw new BadDataException($"'{source}' holds an incomplete model config (null where a value is needed).");
        try { c.Validate(); }
        catch (ArgumentException e) { throw new BadDataException($"'{source}' holds an invalid model config: {e.Message}", e); }
        return c;
    }

    /// <summary>No null where JSON could have put one (a config read from a file).</summary>
    internal bool IsComplete => Backbone is not null && Layers is not null && Anchors?.Ratios is not null && Anchors.Scales is not null;

    public static readonly int[] DefaultResNet18Layers = { 2 };

    /// <summary>The resnet18 layers that feed the neck, the default filled in.</summary>
    public int[] ResNet18Layers => Layers.Length > 0 ? Layers : DefaultResNet18Layers;

    public void Validate()
    {
        if (Backbone is not ("small" or "resnet18" or "resnet50")) throw new ArgumentException($"Unknown backbone '{Backbone}': expected small, resnet18 or resnet50.");
        if (Backbone != "resnet18" && Layers.Length > 0) throw new ArgumentException($"layers [{string.Join(",", Layers)}] apply to the resnet18 backbone only.");
        if (Layers.Length > 0 && !(Layers.All(l => l is 2 or 3) && Layers.Distinct().Count() == Layers.Length && Layers.SequenceEqual(Layers.Order())))
            throw new ArgumentException($"layers [{string.Join(",", Layers)}]: expected 2, 3 or 2,3.");
        if (Channels <= 0 || Width <= 0) throw new ArgumentException("Channels and width must be positive.");
        // Upper bounds keep a corrupt config from allocating gigabytes before its weights are found not to fit.
        if (Channels > 4096 || Width > 1024) throw new ArgumentException($"channels {Channels} / width {Width} exceed 4096 / 1024.");
        if (TemplateSize is < 32 or > 1024 || SearchSize is < 32 or > 2048 || TemplateSize > SearchSize || TemplateCells is < 1 or > 64)
            throw new ArgumentException($"template {TemplateSize} / search {SearchSize} / template cells {TemplateCells} are out of range.");
        if (Anchors.Stride is < 1 or > 64 || Anchors.ScoreSize is < 1 or > 256 || Anchors.Ratios.Length is < 1 or > 16 || Anchors.Scales.Length is < 1 or > 16
            || Anchors.Ratios.Concat(Anchors.Scales).Any(v => !(v > 0) || !float.IsFinite(v)))
            throw new ArgumentException("anchor stride, score size, ratios or scales are out of range.");
    }

    /// <summary>The same network? (ignores nothing: every field shapes parameters or geometry)</summary>
    public bool SameAs(ModelConfig other) => ToJson() == other.ToJson();
}
