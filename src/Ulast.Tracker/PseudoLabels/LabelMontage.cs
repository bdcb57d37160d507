using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;

namespace Ulast.Tracker.PseudoLabels;

/// <summary>
/// A picture of pseudo labels: a title and a colour legend, then one row per video — its name and counts, and
/// evenly spaced frames scaled to the row's height, side by side without gaps, with the pseudo box (red: thick
/// when the frame is reliable) and, where there is one, the true box (green).
/// </summary>
public static class LabelMontage
{
    private static readonly Scalar Background = new(32, 32, 32), Truth = new(0, 210, 0), Pseudo = new(40, 40, 240), Text = new(240, 240, 240);
    private const int Caption = 230, Header = 64;

    /// <summary>
    /// Draws the montage to <paramref name="path"/> (PNG or JPEG by its extension). Sets of more than 24 videos are laid
    /// out in two columns of shorter rows with four frames each: 66 videos then make a picture of about 1,900×2,500
    /// pixels (a JPEG of about 1 MB) instead of one column 6,500 pixels high.
    /// </summary>
    public static void Write(string path, string title, IReadOnlyList<(Sequence seq, VideoLabels labels)> items, int perRow = 6)
    {
        bool many = items.Count > 24;
        int rowH = items.Count <= 12 ? 150 : many ? 72 : 96;
        int columns = many ? 2 : 1;
        if (many) perRow = Math.Min(perRow, 4);
        // Each row decodes its video up to the last frame shown: two at once keep both cores busy.
        var rows = items.AsParallel().AsOrdered().WithDegreeOfParallelism(Math.Min(2, Environment.ProcessorCount))
            .Select(it => Row(it.seq, it.labels, perRow, rowH)).ToList();
        try
        {
            int cellW = Caption + rows.Select(r => r.tiles.Sum(t => t.Width + 2)).DefaultIfEmpty(0).Max();
            int perColumn = (rows.Count + columns - 1) / columns;
            int width = Math.Max(760, columns * cellW + (columns - 1) * 12);
            using var canvas = new Mat(Header + Math.Max(1, perColumn) * (rowH + 2), width, MatType.CV_8UC3, Background);
            DrawHeader(canvas, title, withTruth: items.Any(it => it.seq.HasGroundTruth));
            for (int r = 0; r < rows.Count; r++)
            {
                // Column-major: names read down the first column, then the second.
                int y = Header + (r % perColumn) * (rowH + 2), x0 = (r / perColumn) * (cellW + 12);
                var (seq, labels) = items[r];
                double small = rowH < 90 ? 0.8 : 1.0;
                Label(canvas, Shorten(seq.Name, 22), new Point(x0 + 8, y + (int)(24 * small)), 0.6 * small, 2);
                Label(canvas, $"{labels.Frames} frames", new Point(x0 + 8, y + (int)(46 * small)), 0.5 * small, 1);
                Label(canvas, labels.Dropped ? "dropped" : $"{labels.ReliableFrames} reliable", new Point(x0 + 8, y + (int)(66 * small)), 0.5 * small, 1, labels.Dropped ? new Scalar(0, 160, 255) : Text);
                int x = x0 + Caption;
                foreach (var (tile, index) in rows[r].tiles.Zip(rows[r].indices))
                {
                    tile.CopyTo(new Mat(canvas, new Rect(x, y, tile.Width, tile.Height)));
                    Label(canvas, $"#{index}", new Point(x + 4, y + rowH - 6), 0.45 * small, 1);
                    x += tile.Width + 2;
                }
            }
            var jpeg = new[] { new ImageEncodingParam(ImwriteFlags.JpegQuality, 88) };
            AtomicFile.Replace(path, tmp => { if (!Cv2.ImWrite(tmp, canvas, jpeg)) throw new IOException($"Could not write '{path}'."); });
        }
        finally { foreach (var r in rows) foreach (var t in r.tiles) t.Dispose(); }
    }

    /// <summary>Evenly spaced frames of one video with their boxes, scaled to the row height (very wide frames are cropped to 2.4:1).</summary>
    private static (List<Mat> tiles, List<int> indices) Row(Sequence seq, VideoLabels labels, int perRow, int rowH)
    {
        var picks = Enumerable.Range(0, perRow).Select(i => (int)((long)(labels.Frames - 1) * (2 * i + 1) / (2 * perRow))).Distinct().ToList();
        var tiles = new List<Mat>();
        var indices = new List<int>();
        int index = 0;
        foreach (var frame in seq.ReadFrames())
        {
            using (frame)
            {
                if (index == picks[tiles.Count])
                {
                    var g = index < seq.GroundTruth.Count ? seq.GroundTruth[index] : BoxF.Invalid;
                    int line = Math.Max(2, frame.Height / 90);
                    if (g.IsValid) Cv2.Rectangle(frame, ToRect(g), Truth, line);
                    var p = labels.Box(index);
                    if (p.IsValid) Cv2.Rectangle(frame, ToRect(p), Pseudo, labels.SegmentOf(index) is not null ? 2 * line : Math.Max(1, line / 2));
                    double s = (double)rowH / frame.Height;
                    int w = Math.Min((int)Math.Round(frame.Width * s), (int)(rowH * 2.4));
                    var tile = new Mat();
                    Cv2.Resize(frame, tile, new Size((int)Math.Round(frame.Width * s), rowH), 0, 0, InterpolationFlags.Area);
                    if (tile.Width > w) { var cropped = new Mat(tile, new Rect((tile.Width - w) / 2, 0, w, rowH)).Clone(); tile.Dispose(); tile = cropped; }
                    tiles.Add(tile);
                    indices.Add(index);
                }
            }
            index++;
            if (tiles.Count >= picks.Count) break;
        }
        return (tiles, indices);
    }

    /// <summary>The title and the legend; "ground truth" only where some video has it (unlabelled videos have none).</summary>
    private static void DrawHeader(Mat canvas, string title, bool withTruth)
    {
        Label(canvas, title, new Point(8, 26), 0.7, 2);
        int x = 8, y = 50;
        var entries = new[] { (Truth, 2, "ground truth"), (Pseudo, 4, "pseudo box, reliable frame"), (Pseudo, 1, "pseudo box, other frame") };
        foreach (var (colour, thickness, text) in withTruth ? entries : entries[1..])
        {
            Cv2.Rectangle(canvas, new Rect(x, y - 12, 22, 14), colour, thickness);
            Label(canvas, text, new Point(x + 30, y), 0.5, 1);
            x += 40 + text.Length * 10;
        }
    }

    /// <summary>Light text with a dark outline: readable on bright and dark frames alike.</summary>
    private static void Label(Mat canvas, string text, Point at, double scale, int thickness, Scalar? colour = null)
    {
        Cv2.PutText(canvas, text, at, HersheyFonts.HersheySimplex, scale, Scalar.Black, thickness + 3, LineTypes.AntiAlias);
        Cv2.PutText(canvas, text, at, HersheyFonts.HersheySimplex, scale, colour ?? Text, thickness, LineTypes.AntiAlias);
    }

    private static string Shorten(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    private static Rect ToRect(BoxF b) => new((int)b.X, (int)b.Y, Math.Max(1, (int)b.W), Math.Max(1, (int)b.H));
}
