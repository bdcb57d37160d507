using Ulast.Tracker;

namespace Ulast.Cli.Commands;

/// <summary>
/// ulast model --out FILE [--backbone small|resnet50] [--channels N] [--imagenet RESNET50.safetensors]: writes a new checkpoint;
/// ulast model --out FILE --average A,B,...: the weight average of checkpoints of one run.
/// </summary>
public static class ModelCommand
{
    public static int Run(Options o)
    {
        var outPath = o.String("--out") ?? throw new ArgumentException("--out FILE is required.");
        var imagenet = o.String("--imagenet");
        var average = o.String("--average");
        var backbone = o.String("--backbone");
        int channels = o.Int("--channels", 0, 1);
        if (average is not null && (imagenet is not null || backbone is not null || channels > 0))
            throw new ArgumentException("--average takes the network from its checkpoints: drop --backbone, --channels and --imagenet.");
        using var dev = o.CreateDevice();
        o.EnsureAllUsed();
        OutputCheck.File(outPath, "--out");
        if (average is not null)
        {
            var files = average.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var f in files) if (!File.Exists(f)) throw new FileNotFoundException($"--average: '{f}' does not exist.");
            using var averaged = CheckpointAverage.Average(files, dev);
            Checkpoint.SaveModel(outPath, averaged, new Dictionary<string, string> { ["origin"] = "weight average of " + string.Join(", ", files) });
            Console.WriteLine($"wrote {outPath}: the average of {files.Length} checkpoints");
            return 0;
        }
        var cfg = new ModelConfig { Backbone = backbone ?? (imagenet is null ? "small" : "resnet50") };
        if (channels > 0) cfg = cfg with { Channels = channels };
        using var model = new SiameseRpn(dev, cfg);
        if (imagenet is not null) Checkpoint.ImportTorchvisionResNet50(model, imagenet);
        Checkpoint.SaveModel(outPath, model, new Dictionary<string, string> { ["origin"] = imagenet is null ? "random initialisation" : "ImageNet backbone from " + Path.GetFileName(imagenet) });
        Console.WriteLine($"wrote {outPath}: {cfg.Backbone}, {model.ParameterCount:N0} parameters");
        return 0;
    }
}
