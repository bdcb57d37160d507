namespace Ulast.Cli;

/// <summary>Output locations are tried before the work starts, so that an unwritable --out fails in a second, not after an hour.</summary>
public static class OutputCheck
{
    /// <summary>The folder that will hold <paramref name="file"/> exists (created if need be) and accepts a file.</summary>
    public static void File(string? file, string option)
    {
        if (file is null) return;
        if (file.Length == 0) throw new ArgumentException($"{option} is empty; give a file name.");
        if (file.EndsWith('/') || file.EndsWith(Path.DirectorySeparatorChar))
            throw new ArgumentException($"{option} '{file}' ends in '/', so it names a folder; give a file name (a file inside it, or drop the '/').");
        var full = Path.GetFullPath(file);
        if (Directory.Exists(full)) throw new ArgumentException($"{option} '{file}' is a folder; give a file name (a file inside it).");
        Folder(Path.GetDirectoryName(full)!, option, file);
    }

    /// <summary>The folder exists (created if need be) and accepts a file.</summary>
    public static void Folder(string? folder, string option, string? shown = null)
    {
        if (folder is null) return;
        var probe = Path.Combine(Path.GetFullPath(folder), $".ulast-write-probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(Path.GetFullPath(folder));
            System.IO.File.WriteAllBytes(probe, Array.Empty<byte>());
            System.IO.File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new IOException($"{option} '{shown ?? folder}' cannot be written ({e.Message.TrimEnd('.')}); choose another location.");
        }
    }
}
