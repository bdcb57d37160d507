using System.Runtime.InteropServices;

namespace Ulast.Tracker.IO;

/// <summary>
/// glibc's allocator settings for a process that decodes and frees many video frames (OpenCV Mats of ≈ 1 MB).
/// glibc raises its mmap threshold each time a large mmapped block is freed (up to 32 MB), after which frames
/// come from the heap arenas, where freed frames fragment and are not returned: a training run's resident memory
/// grew past 20 GB with a 10 GB frame cache and was killed. Pinning the threshold at 128 KiB keeps every frame
/// its own mapping, given back on free; the same run then stays at 13.9 GB.
/// </summary>
public static class NativeHeap
{
    private const int M_MMAP_THRESHOLD = -3;

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    /// <summary>Pins glibc's mmap threshold (Linux); true when it was set, false elsewhere or without glibc.</summary>
    public static bool PinMmapThreshold(int bytes = 128 * 1024)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { return Mallopt(M_MMAP_THRESHOLD, bytes) == 1; }
        catch (DllNotFoundException) { return false; }
        catch (EntryPointNotFoundException) { return false; }   // musl has no mallopt
    }
}
