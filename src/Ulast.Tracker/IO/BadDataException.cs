namespace Ulast.Tracker.IO;

/// <summary>
/// The project's error for an input that cannot be used — a corrupt checkpoint, ground-truth, labels or config
/// file, an unreadable image or video. The message names the file and what is wrong, in one line; the command
/// line prints it and exits 1.
/// </summary>
public sealed class BadDataException(string message, Exception? inner = null) : Exception(OneLine(message), inner)
{
    /// <summary>Line breaks and tabs (a JSON parser's message may quote the bad text) become spaces.</summary>
    private static string OneLine(string message) => string.Join(' ', message.Split(new[] { '\r', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries)).Trim();

    /// <summary>Text from a bad file made fit for a one-line message: at most <paramref name="max"/> characters, control and non-ASCII bytes escaped.</summary>
    public static string Quote(string text, int max = 24)
    {
        var sb = new System.Text.StringBuilder();
        foreach (char c in text.Length > max ? text[..max] : text)
            sb.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\x{(int)c & 0xFF:X2}");
        return text.Length > max ? sb + "…" : sb.ToString();
    }
}
