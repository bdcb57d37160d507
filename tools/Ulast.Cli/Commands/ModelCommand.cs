using static Ulast.Cli.OptionSpec;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;

namespace Ulast.Cli.Commands;

/// <summary>
/// ulast model --out FILE [--backbone small|resnet18|resnet50] [--channels N] [--layers 2|3|2,3] [--imagenet [FILE]]: writes a new checkpoint;
/// ulast model --out FILE --average A,B,...: the weight average of checkpoints of one run.
/// </summary>
public static class ModelCommand
{
    public static readonly OptionSpec Out = Text("--out", "checkpoint file (required)");
    public static readonly OptionSpec Backbone = Text("--backbone", "small, resnet18 or resnet50 [default: small]");
    public static readonly OptionSpec Channels = Int("--channels", $"head channels {D(new Ulast.Tracker.Model.ModelConfig().Channels)}", 1, 4096);
    public static readonly OptionSpec Layers = Text("--layers", "resnet18: the layers that feed the neck, 2, 3 or 2,3 [default: 2]");
    public static readonly OptionSpec Imagenet = OptionalText("--imagenet", "ImageNet weights: for resnet18 the package's ResNet18.onnx (no value: the one NuGet restored with Ulast), for resnet50 torchvision's weights as safetensors [default: random weights]");
    public static readonly OptionSpec Average = Text("--average", "[ours] write the weight average of these checkpoints of one run, comma-separated [default: none]");

    /// <summary>This command's own options (the shared ones are added where the command is built).</summary>
    public static readonly OptionSpec[] Specs = { Out, Backbone, Channels, Layers, Imagenet, Average };

    public static int Run(Options o)
    {
        var outPath = o.String(Out) ?? throw new ArgumentException("--out FILE is required.");
        var imagenet = o.String(Imagenet);
        var average = o.String(Average);
        var backbone = o.String(Backbone);
        int channels = o.Int(Channels, 0, 1);
        var layers = o.String(Layers);
        if (average is not null && (imagenet is not null || backbone is not null || channels > 0 || layers is not null))
            throw new ArgumentException("--average takes the network from its checkpoints: drop --backbone, --channels, --layers and --imagenet.");
        using var dev = o.CreateDevice();
        o.EnsureAllUsed();
        OutputCheck.File(outPath, Out.Name);
        if (average is not null)
        {
            var files = average.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var f in files) if (!File.Exists(f)) throw new FileNotFoundException($"--average: '{f}' does not exist.");
            using var averaged = CheckpointAverage.Average(files, dev);
            Checkpoint.SaveModel(outPath, averaged, new Dictionary<string, string> { ["origin"] = "weight average of " + string.Join(", ", files) });
            Console.WriteLine($"wrote {outPath}: the average of {files.Length} checkpoints");
            return 0;
        }
        var cfg = new ModelConfig { Backbone = backbone ?? (imagenet is null ? "small" : imagenet.Length == 0 ? "resnet18" : "resnet50") };
        if (channels > 0) cfg = cfg with { Channels = channels };
        if (layers is not null) cfg = cfg with { Layers = ParseLayers(layers) };
        try { cfg.Validate(); }
        catch (ArgumentException e) { throw new ArgumentException($"--backbone/--layers: {e.Message}"); }
        using var model = new SiameseRpn(dev, cfg);
        if (imagenet is not null)
        {
            if (cfg.Backbone == "resnet18")
            {
                if (imagenet.Length == 0) imagenet = ImageNetWeights.ResNet18Onnx();
                OnnxResNet18.Import(model, imagenet);
            }
            else if (cfg.Backbone == "resnet50")
            {
                if (imagenet.Length == 0) throw new ArgumentException("--imagenet FILE: the resnet50 backbone needs torchvision's weights saved as safetensors.");
                Checkpoint.ImportTorchvisionResNet50(model, imagenet);
            }
            else throw new ArgumentException("--imagenet needs --backbone resnet18 or resnet50.");
        }
        Checkpoint.SaveModel(outPath, model, new Dictionary<string, string> { ["origin"] = imagenet is null ? "random initialisation" : "ImageNet backbone from " + Path.GetFileName(imagenet) });
        Console.WriteLine($"wrote {outPath}: {cfg.Backbone}, {model.ParameterCount:N0} parameters");
        return 0;
    }

    /// <summary>"2", "3" or "2,3".</summary>
    public static int[] ParseLayers(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var r = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out r[i]))
                throw new ArgumentException($"--layers '{text}': expected 2, 3 or 2,3.");
        return r;
    }
}
