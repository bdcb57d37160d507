using System.Runtime.CompilerServices;

namespace Ulast.Tests;

/// <summary>
/// Without OpenCV's system libraries (Debian: libgtk-3-0) every test that reads an image would fail with the same
/// stack trace. Checked once when the test assembly loads: one line that names the package, and the run stops.
/// </summary>
internal static class OpenCvCheck
{
    [ModuleInitializer]
    internal static void RequireOpenCv()
    {
        try { _ = OpenCvSharp.Cv2.GetVersionString(); }
        catch (Exception e) when (Ulast.Cli.Program.MissingNativeLibrary(e) is { } message)
        {
            Console.Error.WriteLine("error: " + message);
            Console.Out.WriteLine("error: " + message);
            Environment.Exit(1);
        }
    }
}
