using System.Runtime.InteropServices;
using Ulast.Tracker.Data;

namespace Ulast.Tracker.IO;

/// <summary>
/// Runs a native call with the process's standard error pointed at /dev/null. For one purpose: libjpeg prints
/// "Premature end of JPEG file" itself for every truncated JPEG, from native code no setting reaches. The loader
/// finds such files first and says so once, naming them (<see cref="Sequence.Warnings"/>); their decoding then runs
/// here, silenced. Only known-truncated files take this path, one at a time, so that the window is short and rare.
/// </summary>
public static class NativeStderr
{
    private const int StderrFd = 2, OpenWriteOnly = 1;
    private static readonly object Gate = new();

    [DllImport("libc", EntryPoint = "dup", SetLastError = true)] private static extern int Dup(int fd);
    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)] private static extern int Dup2(int from, int to);
    [DllImport("libc", EntryPoint = "open", SetLastError = true)] private static extern int Open(string path, int flags);
    [DllImport("libc", EntryPoint = "close")] private static extern int Close(int fd);

    public static T Silenced<T>(Func<T> call)
    {
        if (!OperatingSystem.IsLinux()) return call();
        lock (Gate)
        {
            Console.Error.Flush();
            int saved = -1, devNull = -1;
            try
            {
                saved = Dup(StderrFd);
                devNull = Open("/dev/null", OpenWriteOnly);
                if (saved < 0 || devNull < 0 || Dup2(devNull, StderrFd) < 0) return call();
                return call();
            }
            catch (DllNotFoundException) { return call(); }
            catch (EntryPointNotFoundException) { return call(); }
            finally
            {
                if (saved >= 0) { Dup2(saved, StderrFd); Close(saved); }
                if (devNull >= 0) Close(devNull);
            }
        }
    }
}
