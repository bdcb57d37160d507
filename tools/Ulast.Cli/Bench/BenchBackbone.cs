using Ulast.Tracker.Model;

namespace Ulast.Cli.Bench;

/// <summary>A backbone named in a bench: small, resnet50, resnet18 (layer2), resnet18-l3 (layer3) or resnet18-l23 (both).</summary>
public static class BenchBackbone
{
    public static ModelConfig Config(string name) => name switch
    {
        "small" or "resnet50" or "resnet18" => new ModelConfig { Backbone = name },
        "resnet18-l3" => new ModelConfig { Backbone = "resnet18", Layers = new[] { 3 } },
        "resnet18-l23" => new ModelConfig { Backbone = "resnet18", Layers = new[] { 2, 3 } },
        _ => throw new ArgumentException($"--backbone(s) '{name}': expected small, resnet18, resnet18-l3, resnet18-l23 or resnet50."),
    };
}
