using Ulast.Tracker.Model;

namespace Ulast.Cli.Commands;

/// <summary>
/// --checkpoint FILE, or a fresh model from --backbone / --channels (untrained: said so loudly), or by default
/// the shipped trained model <see cref="ShippedModel"/>.
/// </summary>
public static class ModelSource
{
    public static readonly OptionSpec Checkpoint = OptionSpec.Text("--checkpoint", "trained model [default: the shipped models/ulast-resnet18.safetensors; models/ulast-small.safetensors is the small preset]");
    public static readonly OptionSpec Backbone = OptionSpec.Text("--backbone", "small, resnet18 or resnet50: an untrained network instead of a checkpoint [default: none, the checkpoint]");
    public static readonly OptionSpec Channels = OptionSpec.Int("--channels", $"channels of the untrained network's head {OptionSpec.D(new ModelConfig().Channels)}", 1, 4096);
    public static readonly OptionSpec[] Specs = { Checkpoint, Backbone, Channels };

    /// <summary>The trained model shipped in the repository, the default of track and eval: ImageNet's ResNet-18 trained by ULAST.</summary>
    public const string ShippedModel = "models/ulast-resnet18.safetensors";

    public static SiameseRpn Load(Options o, Device dev, TextWriter log)
    {
        var checkpoint = o.String(Checkpoint);
        var backbone = o.String(Backbone);
        var channels = o.Int(Channels, 0, 1);
        if (checkpoint is null && backbone is null && channels == 0 && FindShipped() is { } shipped) checkpoint = shipped;
        if (checkpoint is not null)
        {
            if (backbone is not null || channels != 0) throw new ArgumentException("--checkpoint already defines the model: drop --backbone/--channels.");
            var m = Ulast.Tracker.IO.Checkpoint.LoadModel(checkpoint, dev);
            log.WriteLine($"model: {checkpoint} ({m.Config.Backbone}, {m.ParameterCount:N0} parameters)");
            return m;
        }
        var cfg = new ModelConfig { Backbone = backbone ?? "small" };
        if (channels > 0) cfg = cfg with { Channels = channels };
        var model = new SiameseRpn(dev, cfg);
        log.WriteLine($"model: UNTRAINED {cfg.Backbone} ({model.ParameterCount:N0} parameters, random initialisation) — pass --checkpoint for a trained one");
        return model;
    }

    /// <summary>The shipped model, looked up from the working directory and then upwards from the program's folder.</summary>
    public static string? FindShipped()
    {
        if (File.Exists(ShippedModel)) return ShippedModel;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ShippedModel);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
