using System.Globalization;
using Ulast.Cli.Bench;
using Ulast.Tracker;

namespace Ulast.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // Before any frame is decoded: freed frames must go back to the system (see NativeHeap).
        Ulast.Tracker.NativeHeap.PinMmapThreshold();
        // Before OpenCV opens a video: no FFmpeg decoder chatter (see OpenCvQuiet).
        Ulast.Tracker.OpenCvQuiet.Apply();
        try
        {
            // No command: the overview, as a usage error.
            if (args.Length == 0) { CommandTree.Invoke(new[] { "--help" }); return 2; }
            return Unwrapped(() => CommandTree.Invoke(args));
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

    /// <summary>A failure inside a parallel loop arrives wrapped: one cause is rethrown as itself, for the one-line errors above.</summary>
    private static int Unwrapped(Func<int> command)
    {
        try { return command(); }
        catch (AggregateException ae) when (ae.Flatten().InnerExceptions is [var cause])
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(cause).Throw();
            throw;
        }
    }

    /// <summary>OpenCV's native wrapper fails to load without its system libraries (on Debian: libgtk-3-0).</summary>
    public static string? MissingNativeLibrary(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is DllNotFoundException && e.Message.Contains("OpenCvSharpExtern", StringComparison.Ordinal))
                return "OpenCV's native library (libOpenCvSharpExtern.so) could not be loaded; it needs GTK 3: install it with 'sudo apt-get install -y libgtk-3-0'.";
        return null;
    }

    public static int Bench(string which, Options o)
    {
        using var dev = which is "track" or "soak" ? o.CreateTrackingDevice() : o.CreateDevice();
        if (which == "train")
        {
            int nb = o.Int("--naive-batch", 16, 1), cb = o.Int("--cycle-batch", 8, 1), rep = o.Int("--repeats", 5, 1);
            var json = o.String("--json");
            var backbone = o.String("--backbone") ?? "small";
            bool frozen = o.Flag("--frozen-backbone");
            o.EnsureAllUsed();
            OutputCheck.File(json, "--json");
            return TrainBench.Run(dev, nb, cb, rep, json, Console.Out, backbone, frozen);
        }
        if (which == "track")
        {
            var seqPath = o.String("--sequence") ?? Path.Combine("..", "shared", "data", "annotated", "David");
            var backbones = (o.String("--backbones") ?? TrackBench.DefaultBackbones).Split(',', StringSplitOptions.RemoveEmptyEntries);
            foreach (var b in backbones) BenchBackbone.Config(b);   // an unknown name fails here, before frames are read
            if (backbones.Contains("resnet50")) Console.WriteLine(TrackBench.ResNet50Note);
            int frames = o.Int("--frames", 40, 1);
            var json = o.String("--json");
            o.EnsureAllUsed();
            OutputCheck.File(json, "--json");
            return TrackBench.Run(dev, seqPath, frames, backbones, json, Console.Out);
        }
        if (which == "soak")
        {
            var seqPath = o.String("--sequence") ?? Path.Combine("..", "shared", "data", "annotated", "David");
            int frames = o.Int("--frames", 10000, 1);
            bool online = o.Flag("--online"), filter = o.Flag("--filter");
            var json = o.String("--json");
            OutputCheck.File(json, "--json");
            using var model = Commands.ModelSource.Load(o, dev, Console.Out);
            o.EnsureAllUsed();
            return SoakBench.Run(dev, model, seqPath, frames, online, json, Console.Out, filter);
        }
        OutputCheck.File(o.String("--json"), "--json");
        int code = which == "kernels"
            ? KernelBench.Run(dev, o.Int("--repeats", 7, 1), o.String("--json"), o.String("--only"), Console.Out)
            : OpsBench.Run(dev, o.Int("--batch", 16, 1), o.Int("--channels", 256, 1), o.Int("--repeats", 7, 1), o.String("--json"), Console.Out);
        o.EnsureAllUsed();
        return code;
    }

    public static int ShowDevice(Options o)
    {
        using var dev = o.CreateDevice();
        Console.WriteLine(dev.Name);
        o.EnsureAllUsed();
        return 0;
    }
}
