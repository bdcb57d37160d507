namespace Ulast.Cli;

/// <summary>Writes to a temporary file beside the target, then renames: readers never see half a file.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = full + ".tmp-" + Environment.ProcessId;
        File.WriteAllText(tmp, text);
        File.Move(tmp, full, overwrite: true);
    }
}
