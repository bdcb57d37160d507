using System.Runtime.CompilerServices;

namespace Ulast.Tests;

/// <summary>
/// Without OpenCV's system libraries (Debian: libgtk-3-0) every test that reads an image would fail with the same
/// stack trace. Checked once when the test assembly loads: one line that names the package, and the run stops.
/// A GPU run of the kernel tests (ULAST_TEST_DEVICE=cuda) may lack OpenCV: there the line is a warning.
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
            if (TestDevice.KernelsOnCuda) return;   // run the kernel tests; those that read images fail on their own
            Environment.Exit(1);
        }
    }
}
