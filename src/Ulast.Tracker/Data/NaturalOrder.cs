namespace Ulast.Tracker.Data;

/// <summary>
/// Orders names with numbers in them as a person counts: <c>2.jpg</c> before <c>10.jpg</c> (text order puts
/// <c>10.jpg</c> first and scrambles a sequence whose frames are not zero-padded). Runs of digits compare by value
/// (any length: no overflow), everything else character by character; names equal in value (<c>7.jpg</c>,
/// <c>007.jpg</c>) fall back to text order so that the order is total.
/// </summary>
public sealed class NaturalOrder : IComparer<string>
{
    public static readonly NaturalOrder Instance = new();

    public int Compare(string? a, string? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                int si = i, sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                var da = a.AsSpan(si, i - si).TrimStart('0');
                var db = b.AsSpan(sj, j - sj).TrimStart('0');
                if (da.Length != db.Length) return da.Length.CompareTo(db.Length);
                int c = da.SequenceCompareTo(db);
                if (c != 0) return c;
            }
            else
            {
                if (a[i] != b[j]) return a[i].CompareTo(b[j]);
                i++; j++;
            }
        }
        if (i < a.Length || j < b.Length) return (a.Length - i).CompareTo(b.Length - j);
        return string.CompareOrdinal(a, b);
    }
}
