using static Ulast.Cli.OptionSpec;

namespace Ulast.Cli.Bench;

/// <summary>`ulast bench kernels|ops|track|train|soak`: each benchmark's options, declared once, and how it runs.</summary>
public static class BenchCommands
{
    public static readonly OptionSpec Json = Text("--json", "also write the results here [default: none]");
    private static readonly OptionSpec Sequence = Text("--sequence", "sequence folder [default: ../shared/data/annotated/David]");
    private static string DefaultSequence => Path.Combine("..", "shared", "data", "annotated", "David");

    public static class Kernels
    {
        public static readonly OptionSpec Repeats = Int("--repeats", "timed repeats [default: 7]", 1, 1000);
        public static readonly OptionSpec Only = Text("--only", "cases whose name contains this [default: all]");
        public static readonly OptionSpec[] Specs = { Repeats, Only, Json };

        public static int Run(Options o)
        {
            using var dev = o.CreateDevice();
            var json = o.String(Json);
            OutputCheck.File(json, Json.Name);
            int code = KernelBench.Run(dev, o.Int(Repeats, 7, 1), json, o.String(Only), Console.Out);
            o.EnsureAllUsed();
            return code;
        }
    }

    public static class Ops
    {
        public static readonly OptionSpec Batch = Int("--batch", "batch [default: 16]", 1, 256);
        public static readonly OptionSpec Channels = Int("--channels", "channels [default: 256]", 1, 4096);
        public static readonly OptionSpec Repeats = Int("--repeats", "timed repeats [default: 7]", 1, 1000);
        public static readonly OptionSpec[] Specs = { Batch, Channels, Repeats, Json };

        public static int Run(Options o)
        {
            using var dev = o.CreateDevice();
            var json = o.String(Json);
            OutputCheck.File(json, Json.Name);
            int code = OpsBench.Run(dev, o.Int(Batch, 16, 1), o.Int(Channels, 256, 1), o.Int(Repeats, 7, 1), json, Console.Out);
            o.EnsureAllUsed();
            return code;
        }
    }

    public static class Track
    {
        public static readonly OptionSpec Frames = Int("--frames", "frames [default: 40]", 1, 100_000);
        public static readonly OptionSpec Backbones = Text("--backbones", $"comma-separated: small, resnet18 (layer2, the shipped model's), resnet18-l3, resnet18-l23, resnet50 (slow: {TrackBench.ResNet50Speed}) {D(TrackBench.DefaultBackbones)}");
        public static readonly OptionSpec[] Specs = { Sequence, Frames, Backbones, Json };

        public static int Run(Options o)
        {
            using var dev = o.CreateTrackingDevice();
            var seqPath = o.String(Sequence) ?? DefaultSequence;
            var backbones = (o.String(Backbones) ?? TrackBench.DefaultBackbones).Split(',', StringSplitOptions.RemoveEmptyEntries);
            foreach (var b in backbones) BenchBackbone.Config(b);   // an unknown name fails here, before frames are read
            if (backbones.Contains("resnet50")) Console.WriteLine(TrackBench.ResNet50Note);
            int frames = o.Int(Frames, 40, 1);
            var json = o.String(Json);
            o.EnsureAllUsed();
            OutputCheck.File(json, Json.Name);
            return TrackBench.Run(dev, seqPath, frames, backbones, json, Console.Out);
        }
    }

    public static class Train
    {
        public static readonly OptionSpec NaiveBatch = Int("--naive-batch", "naive batch [default: 16]", 1, 512);
        public static readonly OptionSpec CycleBatch = Int("--cycle-batch", "cycle batch [default: 8]", 1, 128);
        public static readonly OptionSpec Repeats = Int("--repeats", "timed repeats [default: 5]", 1, 1000);
        public static readonly OptionSpec Backbone = Text("--backbone", "small, resnet18, resnet18-l3, resnet18-l23 or resnet50 [default: small]");
        public static readonly OptionSpec FrozenBackbone = Flag("--frozen-backbone", "the backbone frozen (evaluation-mode BN, no gradient): the first stage on a pretrained one");
        public static readonly OptionSpec[] Specs = { NaiveBatch, CycleBatch, Repeats, Json, Backbone, FrozenBackbone };

        public static int Run(Options o)
        {
            using var dev = o.CreateDevice();
            int nb = o.Int(NaiveBatch, 16, 1), cb = o.Int(CycleBatch, 8, 1), rep = o.Int(Repeats, 5, 1);
            var json = o.String(Json);
            var backbone = o.String(Backbone) ?? "small";
            bool frozen = o.Flag(FrozenBackbone);
            o.EnsureAllUsed();
            OutputCheck.File(json, Json.Name);
            return TrainBench.Run(dev, nb, cb, rep, json, Console.Out, backbone, frozen);
        }
    }

    public static class Soak
    {
        public static readonly OptionSpec Frames = Int("--frames", "frames [default: 10000]", 1, 10_000_000);
        public static readonly OptionSpec Online = Flag("--online", "ULAST-on with its gate open (the memory queue turns over all the time)");
        public static readonly OptionSpec Filter = Flag("--filter", "[ours] with the discriminative filter (a sample and an update every 5 frames)");
        public static readonly OptionSpec[] Specs = { Sequence, Frames, Online, Filter, Json, Commands.ModelSource.Checkpoint };

        public static int Run(Options o)
        {
            using var dev = o.CreateTrackingDevice();
            var seqPath = o.String(Sequence) ?? DefaultSequence;
            int frames = o.Int(Frames, 10000, 1);
            bool online = o.Flag(Online), filter = o.Flag(Filter);
            var json = o.String(Json);
            OutputCheck.File(json, Json.Name);
            using var model = Commands.ModelSource.Load(o, dev, Console.Out);
            o.EnsureAllUsed();
            return SoakBench.Run(dev, model, seqPath, frames, online, json, Console.Out, filter);
        }
    }
}
