using Ulast.Tracker;

namespace Ulast.Cli.Commands;

/// <summary>--checkpoint FILE, or a fresh model from --backbone / --channels (untrained: said so loudly).</summary>
public static class ModelSource
{
    public static SiameseRpn Load(Options o, Device dev, TextWriter log)
    {
        var checkpoint = o.String("--checkpoint");
        var backbone = o.String("--backbone");
        var channels = o.Int("--channels", 0);
        if (checkpoint is not null)
        {
            if (backbone is not null || channels != 0) throw new ArgumentException("--checkpoint already defines the model: drop --backbone/--channels.");
            var m = Checkpoint.LoadModel(checkpoint, dev);
            log.WriteLine($"model: {checkpoint} ({m.Config.Backbone}, {m.ParameterCount:N0} parameters)");
            return m;
        }
        var cfg = new ModelConfig { Backbone = backbone ?? "small" };
        if (channels > 0) cfg = cfg with { Channels = channels };
        var model = new SiameseRpn(dev, cfg);
        log.WriteLine($"model: UNTRAINED {cfg.Backbone} ({model.ParameterCount:N0} parameters, random initialisation) — pass --checkpoint for a trained one");
        return model;
    }
}
