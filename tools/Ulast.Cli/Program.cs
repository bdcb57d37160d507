using System.Globalization;
using Ulast.Cli.Bench;

namespace Ulast.Cli;

public static class Program
{
    private const string Usage = """
        ulast — unsupervised Siamese tracking (ULAST) on ILGPU kernels

        usage:
          ulast bench kernels [--device auto|cuda|cpu] [--kernels] [--repeats N] [--only TEXT] [--json FILE]
          ulast bench ops [--device auto|cuda|cpu] [--kernels] [--batch N] [--channels N] [--repeats N] [--json FILE]
          ulast track --input VIDEO|SEQUENCE [--box x,y,w,h] [--out FILE] [--video OUT.mp4] [--frames N] [--online] [model options]
          ulast eval [--data FOLDER] [--sequences a,b] [--trackers ulast,ulast-online,kcf,csrt,mil] [--models NAME=FILE,...] [--online] [--out DIR] [model options]
          ulast model --out FILE [--backbone small|resnet50] [--channels N] [--imagenet RESNET50.safetensors]
          ulast pseudo-label [--input DIR|VIDEO] [--out labels.json] [--fresh] [--step N]
          ulast pseudo-label --quality [--data DIR] [--out DIR]
          ulast train --out runs/NAME [--config FILE.json] [--labels labels.json] [--resume] [--steps N] [--init MODEL]
                      [--no-cycle] [--no-cpt] [--no-region-mask] [--no-reweight] [--cpt-residual] [--seed N] [--lr X]
                      [--optimizer sgd|adamw] [--naive-batch N] [--cycle-batch N] [--cycle-start N] [--validate-every N]
                      [--val-sequences a,b] [--train-only PREFIX,...] [--write-config FILE]
          ulast bench train [--naive-batch 16] [--cycle-batch 8] [--repeats N] [--json FILE]
          ulast bench track [--sequence FOLDER] [--frames N] [--backbones small,resnet50] [--json FILE]
          ulast gradcheck [--op NAME] [--seed N] [--device auto|cuda|cpu] [--kernels] [--list]
          ulast device [--device auto|cuda|cpu]

        model options: --checkpoint FILE (default: the shipped models/ulast-small.safetensors), or --backbone small|resnet50 [--channels N] (untrained)
                       --penalty-k X --window-influence X --size-lr X (tracker post-processing)
                       --online-lambda X --online-capacity N --online-interval N --online-min-score X --online-regression (ULAST-on's memory)
        --device    auto (CUDA if present, else CPU), cuda or cpu
        --kernels   on the CPU, run every op through ILGPU's CPU accelerator (slow; for checking)
        """;

    public static int Main(string[] args)
    {
        try
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help") { Console.WriteLine(Usage); return args.Length == 0 ? 2 : 0; }
            // `ulast COMMAND --help`: that command's usage lines, and nothing run.
            if (args.Skip(1).Any(a => a is "--help" or "-h")) { Console.WriteLine(CommandUsage(args[0], args.Length > 2 && args[0] == "bench" ? args[1] : null)); return 0; }
            return args[0] switch
            {
                "bench" => Bench(args.Skip(1).ToArray()),
                "gradcheck" => Ulast.GradCheck.Program.Run(args.Skip(1).ToArray(), Console.Out),
                "device" => ShowDevice(new Options(args.Skip(1).ToArray())),
                "track" => Commands.TrackCommand.Run(new Options(args.Skip(1).ToArray())),
                "eval" => Commands.EvalCommand.Run(new Options(args.Skip(1).ToArray())),
                "model" => Commands.ModelCommand.Run(new Options(args.Skip(1).ToArray())),
                "pseudo-label" => Commands.PseudoLabelCommand.Run(new Options(args.Skip(1).ToArray())),
                "train" => Commands.TrainCommand.Run(new Options(args.Skip(1).ToArray())),
                _ => throw new ArgumentException($"Unknown command '{args[0]}'. Run 'ulast --help'."),
            };
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return 2;
        }
        catch (Exception ex) when (ex is IOException or Ulast.Tracker.BadDataException or InvalidDataException or UnauthorizedAccessException or DeviceUnavailableException)
        {
            Console.Error.WriteLine("error: " + ex.Message);
            return 1;
        }
        catch (Exception ex) when (MissingNativeLibrary(ex) is { } lib)
        {
            Console.Error.WriteLine($"error: {lib}");
            return 1;
        }
    }

    /// <summary>The usage lines of one command (all of them for an unknown one), with the shared option notes.</summary>
    public static string CommandUsage(string command, string? sub)
    {
        var lines = Usage.Split('\n');
        string key = sub is null || sub.StartsWith('-') ? $"ulast {command} " : $"ulast {command} {sub}";
        var picked = new List<string>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].TrimStart().StartsWith(key.TrimEnd(), StringComparison.Ordinal)) continue;
            picked.Add(lines[i].TrimEnd());
            for (int j = i + 1; j < lines.Length && lines[j].StartsWith("              ", StringComparison.Ordinal) && !lines[j].TrimStart().StartsWith("ulast", StringComparison.Ordinal); j++) picked.Add(lines[j].TrimEnd());
        }
        if (picked.Count == 0) return Usage;
        int notes = Array.FindIndex(lines, l => l.TrimStart().StartsWith("model options:", StringComparison.Ordinal));
        return "usage:\n" + string.Join('\n', picked) + (notes >= 0 ? "\n\n" + string.Join('\n', lines.Skip(notes).Select(l => l.TrimEnd())) : "");
    }

    /// <summary>OpenCV's native wrapper fails to load without its system libraries (on Debian: libgtk-3-0).</summary>
    public static string? MissingNativeLibrary(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is DllNotFoundException && e.Message.Contains("OpenCvSharpExtern", StringComparison.Ordinal))
                return "OpenCV's native library (libOpenCvSharpExtern.so) could not be loaded; it needs GTK 3: install it with 'sudo apt-get install -y libgtk-3-0'.";
        return null;
    }

    private static int Bench(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("kernels" or "ops" or "track" or "train")) throw new ArgumentException("usage: ulast bench kernels|ops|track|train [...]");
        var o = new Options(args.Skip(1).ToArray());
        using var dev = o.CreateDevice();
        if (args[0] == "train")
        {
            int nb = o.Int("--naive-batch", 16, 1), cb = o.Int("--cycle-batch", 8, 1), rep = o.Int("--repeats", 5, 1);
            var json = o.String("--json");
            o.EnsureAllUsed();
            OutputCheck.File(json, "--json");
            return TrainBench.Run(dev, nb, cb, rep, json, Console.Out);
        }
        if (args[0] == "track")
        {
            var seqPath = o.String("--sequence") ?? Path.Combine("..", "shared", "data", "annotated", "David");
            var backbones = (o.String("--backbones") ?? "small,resnet50").Split(',', StringSplitOptions.RemoveEmptyEntries);
            int frames = o.Int("--frames", 40, 1);
            var json = o.String("--json");
            o.EnsureAllUsed();
            OutputCheck.File(json, "--json");
            return TrackBench.Run(dev, seqPath, frames, backbones, json, Console.Out);
        }
        OutputCheck.File(o.String("--json"), "--json");
        int code = args[0] == "kernels"
            ? KernelBench.Run(dev, o.Int("--repeats", 7, 1), o.String("--json"), o.String("--only"), Console.Out)
            : OpsBench.Run(dev, o.Int("--batch", 16, 1), o.Int("--channels", 256, 1), o.Int("--repeats", 7, 1), o.String("--json"), Console.Out);
        o.EnsureAllUsed();
        return code;
    }

    private static int ShowDevice(Options o)
    {
        using var dev = o.CreateDevice();
        Console.WriteLine(dev.Name);
        o.EnsureAllUsed();
        return 0;
    }
}

/// <summary>Minimal --name value / --flag parsing with clear errors for unknown or malformed options.</summary>
public sealed class Options
{
    private readonly Dictionary<string, string?> _values = new();
    private readonly HashSet<string> _used = new();

    public Options(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            string key = args[i];
            if (!key.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{key}'.");
            string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            _values[key] = value;
        }
    }

    public string? String(string name)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var v)) return null;
        return v ?? throw new ArgumentException($"{name} needs a value.");
    }

    public int Int(string name, int fallback)
    {
        var s = String(name);
        if (s is null) return fallback;
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"{name} expects an integer, got '{s}'.");
    }

    /// <summary>An integer option that, when given, must be at least <paramref name="min"/>.</summary>
    public int Int(string name, int fallback, int min)
    {
        var s = String(name);
        if (s is null) return fallback;
        int v = Int(name, fallback);
        return v >= min ? v : throw new ArgumentException($"{name} must be at least {min}, got {v}.");
    }

    public float Float(string name, float fallback)
    {
        var s = String(name);
        if (s is null) return fallback;
        return float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && float.IsFinite(v) ? v : throw new ArgumentException($"{name} expects a number, got '{s}'.");
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var v)) return false;
        if (v is not null) throw new ArgumentException($"{name} takes no value.");
        return true;
    }

    public Device CreateDevice()
    {
        var dev = Device.Create(String("--device") ?? "auto");
        if (Flag("--kernels")) dev.UseHostPath = false;
        return dev;
    }

    public void EnsureAllUsed()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown)}.");
    }
}
