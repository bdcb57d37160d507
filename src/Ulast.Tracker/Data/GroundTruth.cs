using System.Globalization;
using Ulast.Tracker.IO;

namespace Ulast.Tracker.Data;

/// <summary>
/// Reads ground-truth files: one box per line as x,y,w,h (4 numbers) or a polygon x1,y1,…,x4,y4
/// (8 numbers, reduced to its axis-aligned bounding box), separated by commas, tabs or spaces, with or
/// without a final newline or a byte-order mark; every line of a file has the same count. Decimal commas are refused
/// (they would split each number in two). Empty, NaN or zero-sized lines become <see cref="BoxF.Invalid"/> (skipped by
/// the metrics). A line that is not numbers is an error naming the file and the line.
/// </summary>
public static class GroundTruth
{
    private static readonly char[] Separators = { ',', '\t', ' ', ';' };
    /// <summary>A comma between digits on a line where spaces, tabs or semicolons also separate numbers: "12,5 30,2 40,1 50,3".</summary>
    private static readonly System.Text.RegularExpressions.Regex DecimalComma =
        new(@"(?=.*\d,\d)(?=.*[\d.][ \t;]+[-+.\d])", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <param name="warnings">Receives one line about boxes with numbers but no area (skipped by the metrics).</param>
    public static List<BoxF> Parse(string text, string source, bool oneBased, List<string>? warnings = null)
    {
        var boxes = new List<BoxF>();
        var empty = new List<int>();
        // A byte-order mark (Windows editors write one) is not part of the first number.
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        int columns = 0, columnsLine = 0;
        var lines = text.Replace("\r", "").Split('\n');
        int last = lines.Length;
        while (last > 0 && lines[last - 1].Trim().Length == 0) last--;
        for (int i = 0; i < last; i++)
        {
            var parts = lines[i].Split(Separators, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) { boxes.Add(BoxF.Invalid); continue; }
            if (DecimalComma.IsMatch(lines[i]))
                throw new BadDataException($"{source}:{i + 1}: '{BadDataException.Quote(lines[i].Trim())}' looks like numbers with decimal commas (or x,y pairs); write x,y,w,h with points for decimals and commas between numbers, e.g. 12.5,30,40.25,50.");
            var v = new double[parts.Length];
            for (int j = 0; j < parts.Length; j++)
                if (!double.TryParse(parts[j], NumberStyles.Float, CultureInfo.InvariantCulture, out v[j]))
                {
                    if (parts[j].Equals("nan", StringComparison.OrdinalIgnoreCase)) v[j] = double.NaN;
                    else throw new BadDataException($"{source}:{i + 1}: '{BadDataException.Quote(parts[j])}' is not a number.");
                }
            BoxF box;
            if (v.Length == 4) box = new BoxF((float)v[0], (float)v[1], (float)v[2], (float)v[3]);
            else if (v.Length == 8)
            {
                var xs = v.Where((_, k) => k % 2 == 0).ToArray();
                var ys = v.Where((_, k) => k % 2 == 1).ToArray();
                box = new BoxF((float)xs.Min(), (float)ys.Min(), (float)(xs.Max() - xs.Min()), (float)(ys.Max() - ys.Min()));
            }
            else if (v.Length == 1 && double.IsNaN(v[0])) box = BoxF.Invalid;
            else throw new BadDataException($"{source}:{i + 1}: expected 4 numbers (x,y,w,h) or 8 (a polygon x1,y1,…,x4,y4), found {v.Length}.");
            if (v.Length > 1)
            {
                // One file, one format: a line of 8 among lines of 4 is a file joined from two sources, not a box.
                if (columns == 0) (columns, columnsLine) = (v.Length, i + 1);
                else if (v.Length != columns)
                    throw new BadDataException($"{source}:{i + 1}: {v.Length} numbers where line {columnsLine} has {columns}; every line must be x,y,w,h or every line a polygon.");
            }
            if (oneBased && box.IsValid) box = box.Shift(-1, -1);
            if (!box.IsValid && !v.All(double.IsNaN)) empty.Add(i + 1);
            boxes.Add(box.IsValid ? box : BoxF.Invalid);
        }
        if (boxes.Count == 0) throw new BadDataException($"{source} holds no boxes.");
        if (!boxes.Any(b => b.IsValid)) throw new BadDataException($"{source} holds no box with a positive width and height.");
        if (empty.Count > 0)
            warnings?.Add($"{source}: {empty.Count} line(s) with a zero or negative width or height (first: line {empty[0]}) are skipped by the metrics.");
        return boxes;
    }

    public static List<BoxF> Read(string path, bool oneBased, List<string>? warnings = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Ground-truth file '{path}' does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        // A text file is UTF-8 without NUL bytes: say so rather than echo binary as a "number".
        string? text = null;
        if (Array.IndexOf(bytes, (byte)0) < 0)
            try { text = new System.Text.UTF8Encoding(false, true).GetString(bytes); }
            catch (System.Text.DecoderFallbackException) { }
        if (text is null) throw new BadDataException($"Ground-truth file '{path}' is binary, not text (one x,y,w,h box per line).");
        return Parse(text, path, oneBased, warnings);
    }

    /// <summary>Writes boxes as x,y,w,h lines, in the sequence's convention (1-based for OTB/UAV/LaSOT).</summary>
    public static string Format(IEnumerable<BoxF> boxes, bool oneBased) =>
        string.Join("\n", boxes.Select(b => FormatBox(b, oneBased))) + "\n";

    /// <summary>One box as x,y,w,h in the sequence's convention; "nan,nan,nan,nan" for no box.</summary>
    public static string FormatBox(BoxF b, bool oneBased) => b.IsValid ? (oneBased ? b.Shift(1, 1) : b).ToString() : "nan,nan,nan,nan";
}
