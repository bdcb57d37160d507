namespace Ulast.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        // Before any frame is decoded: freed frames must go back to the system (see NativeHeap).
        Ulast.Tracker.IO.NativeHeap.PinMmapThreshold();
        // Before OpenCV opens a video: no FFmpeg decoder chatter (see OpenCvQuiet).
        Ulast.Tracker.IO.OpenCvQuiet.Apply();
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
        catch (Exception ex) when (ex is IOException or Ulast.Tracker.IO.BadDataException or InvalidDataException or UnauthorizedAccessException or DeviceUnavailableException)
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

    public static int ShowDevice(Options o)
    {
        using var dev = o.CreateDevice();
        Console.WriteLine(dev.Name);
        o.EnsureAllUsed();
        return 0;
    }
}
