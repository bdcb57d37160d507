namespace Ulast.Tracker.IO;

/// <summary>Writes to a temporary file beside the target, then renames: readers never see half a file.</summary>
public static class AtomicFile
{
    /// <summary>
    /// Lets <paramref name="writeTemp"/> write a temporary file in the target's folder (same extension, so image
    /// writers pick the same format) and moves it over <paramref name="path"/>; the folder is created if need be.
    /// </summary>
    public static void Replace(string path, Action<string> writeTemp)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, ".tmp-" + Environment.ProcessId + "-" + Path.GetFileName(full));
        try
        {
            writeTemp(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            // A full disk or a failed writer leaves nothing behind: the old file stays whole, no temp file remains.
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Removes a file if it is there; a failure to remove it (it may never have been created) is not an error.</summary>
    public static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static void WriteAllText(string path, string text) => Replace(path, tmp => File.WriteAllText(tmp, text));
}
