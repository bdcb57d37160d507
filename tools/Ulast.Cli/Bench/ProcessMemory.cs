using System.Diagnostics;

namespace Ulast.Cli.Bench;

/// <summary>This process's resident memory now and at its peak (Linux: VmRSS and VmHWM; elsewhere .NET's working set).</summary>
public static class ProcessMemory
{
    public static (long residentBytes, long peakBytes) Read()
    {
        try
        {
            long rss = -1, hwm = -1;
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmRSS:")) rss = KiB(line);
                else if (line.StartsWith("VmHWM:")) hwm = KiB(line);
            }
            if (rss >= 0 && hwm >= 0) return (rss, hwm);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        using var p = Process.GetCurrentProcess();
        return (p.WorkingSet64, p.PeakWorkingSet64);
    }

    public static string Gb(long bytes) => $"{bytes / 1e9:F2} GB";

    private static long KiB(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
}
