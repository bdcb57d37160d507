using System.Runtime.InteropServices;

namespace Ulast.Tracker.IO;

/// <summary>
/// Silences the chatter of OpenCV's native side that a user cannot act on: FFmpeg's decoder messages
/// (<c>[h264 @ 0x…] decode_slice_header error</c> on every damaged slice of a real video, which decodes anyway)
/// and OpenCV's own warnings. OpenCV reads these settings from the process environment when it first opens a
/// video or logs, so they are set before that, natively (.NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not reach native code on Unix). A value the user already set wins: <c>OPENCV_FFMPEG_LOGLEVEL=24</c> brings
/// FFmpeg's warnings back.
/// </summary>
public static class OpenCvQuiet
{
    /// <summary>FFmpeg's AV_LOG_QUIET.</summary>
    public const string FfmpegLevel = "-8";
    /// <summary>OpenCV's level: errors only.</summary>
    public const string OpenCvLevel = "ERROR";

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    private static int _applied;

    /// <summary>Sets the quiet levels once (Linux/macOS); true when the environment now holds them or the user's own.</summary>
    public static bool Apply()
    {
        if (OperatingSystem.IsWindows()) return false;
        if (Interlocked.Exchange(ref _applied, 1) == 1) return true;
        try
        {
            return SetEnv("OPENCV_FFMPEG_LOGLEVEL", FfmpegLevel, 0) == 0 && SetEnv("OPENCV_LOG_LEVEL", OpenCvLevel, 0) == 0;
        }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }
    }
}
