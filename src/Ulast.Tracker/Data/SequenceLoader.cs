using OpenCvSharp;
using Ulast.Tracker.IO;

namespace Ulast.Tracker.Data;

/// <summary>
/// Recognises the usual benchmark layouts, in their native form:
/// OTB / UAV123: img/*.jpg + groundtruth_rect*.txt (1-based x,y,w,h; numbering need not start at 1);
/// LaSOT: img/*.jpg + groundtruth.txt (1-based); GOT-10k: *.jpg + groundtruth.txt with 4 values (0-based);
/// VOT: *.jpg + groundtruth.txt with 8-value polygons (0-based); a folder of images without ground truth;
/// or a video file.
/// </summary>
public static class SequenceLoader
{
    private static readonly string[] ImageExtensions = { ".jpg", ".jpeg", ".png", ".bmp" };
    private static readonly string[] VideoExtensions = { ".mp4", ".avi", ".mov", ".mkv", ".webm", ".mpg", ".mpeg" };

    public static bool IsVideo(string path) => File.Exists(path) && VideoExtensions.Contains(System.IO.Path.GetExtension(path).ToLowerInvariant());

    public static Sequence Load(string path)
    {
        if (File.Exists(path))
        {
            if (!IsVideo(path)) throw new BadDataException($"'{path}' is neither a video ({string.Join(", ", VideoExtensions)}) nor a sequence folder.");
            using var cap = new VideoCapture(path);
            if (!cap.IsOpened()) throw new BadDataException($"Cannot open video '{path}'.");
            return new Sequence { Name = System.IO.Path.GetFileNameWithoutExtension(path), Path = path, Format = "video", VideoPath = path, FrameCount = Math.Max(0, cap.FrameCount) };
        }
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"'{path}' does not exist.");
        string name = new DirectoryInfo(path).Name;
        string img = System.IO.Path.Combine(path, "img");
        var rect = Directory.GetFiles(path, "groundtruth_rect*.txt").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault();
        var gtTxt = System.IO.Path.Combine(path, "groundtruth.txt");
        var warnings = new List<string>();
        if (Directory.Exists(img) && rect is not null)
            return Make(name, path, path.Contains("UAV", StringComparison.OrdinalIgnoreCase) ? "uav123" : "otb", Images(img), GroundTruth.Read(rect, oneBased: true, warnings), true, warnings, rect);
        if (Directory.Exists(img) && File.Exists(gtTxt))
            return Make(name, path, "lasot", Images(img), GroundTruth.Read(gtTxt, oneBased: true, warnings), true, warnings, gtTxt);
        var top = Images(path);
        if (top.Count > 0 && File.Exists(gtTxt))
        {
            var firstLine = File.ReadLines(gtTxt).FirstOrDefault(l => l.Trim().Length > 0) ?? "";
            int numbers = firstLine.Split(new[] { ',', '\t', ' ' }, StringSplitOptions.RemoveEmptyEntries).Length;
            return Make(name, path, numbers == 8 ? "vot" : "got10k", top, GroundTruth.Read(gtTxt, oneBased: false, warnings), false, warnings, gtTxt);
        }
        if (top.Count > 0) return Make(name, path, "images", top, new List<BoxF>(), false);
        if (Directory.Exists(img)) return Make(name, path, "images", Images(img), new List<BoxF>(), false);
        throw new BadDataException($"'{path}' holds no frames (no img/ folder, no images, no video).");
    }

    /// <summary>Every sequence folder directly under a folder (sorted by name); a folder that is itself a sequence gives one.</summary>
    public static List<Sequence> LoadAll(string folder, IEnumerable<string>? only = null)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"'{folder}' does not exist.");
        var wanted = only?.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var dirs = Directory.GetDirectories(folder).OrderBy(d => d, StringComparer.Ordinal).ToList();
        var result = new List<Sequence>();
        foreach (var d in dirs)
        {
            var n = new DirectoryInfo(d).Name;
            if (wanted is not null && !wanted.Contains(n)) continue;
            result.Add(Load(d));
        }
        if (wanted is not null)
        {
            var missing = wanted.Where(w => !result.Any(r => r.Name.Equals(w, StringComparison.OrdinalIgnoreCase))).ToList();
            if (missing.Count > 0) throw new ArgumentException($"No sequence named {string.Join(", ", missing)} under '{folder}'.");
        }
        if (result.Count == 0 && wanted is null) result.Add(Load(folder));
        return result;
    }

    /// <summary>
    /// [ours] Frames where the target is absent, from the benchmark's own flags: LaSOT's <c>full_occlusion.txt</c> and
    /// <c>out_of_view.txt</c> (one line of 0/1, comma-separated) and GOT-10k's <c>absence.label</c> (a 0/1 per line). Their
    /// ground truth becomes <see cref="BoxF.Invalid"/>: left out of the AUC, and counted as "absent" by the lost-target scores.
    /// </summary>
    public static List<BoxF> MarkAbsent(string folder, List<BoxF> gt, List<string> warnings)
    {
        if (gt.Count == 0 || !Directory.Exists(folder)) return gt;
        var absent = new HashSet<int>();
        foreach (var name in new[] { "full_occlusion.txt", "out_of_view.txt", "absence.label" })
        {
            var file = System.IO.Path.Combine(folder, name);
            if (!File.Exists(file)) continue;
            var flags = File.ReadAllText(file).Split(new[] { ',', '\n', '\r', ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
            for (int i = 0; i < flags.Length; i++)
            {
                if (flags[i] is not ("0" or "1")) throw new BadDataException($"{file}: flag {i + 1} is '{BadDataException.Quote(flags[i])}', not 0 or 1.");
                if (flags[i] == "1") absent.Add(i);
            }
            if (flags.Length != gt.Count) warnings.Add($"{file}: {flags.Length} flags for {gt.Count} ground-truth lines; the flags given are used.");
        }
        if (absent.Count == 0) return gt;
        return gt.Select((b, i) => absent.Contains(i) ? BoxF.Invalid : b).ToList();
    }

    /// <summary>A JPEG without its end-of-image marker (FF D9) near the end: cut short in copying or downloading.</summary>
    public static bool IsTruncatedJpeg(string file)
    {
        var ext = System.IO.Path.GetExtension(file).ToLowerInvariant();
        if (ext is not (".jpg" or ".jpeg")) return false;
        try
        {
            using var f = File.OpenRead(file);
            if (f.Length < 4) return true;
            // Some writers pad after the marker: look in the last 64 bytes, not only the last two.
            int n = (int)Math.Min(64, f.Length);
            var tail = new byte[n];
            f.Seek(-n, SeekOrigin.End);
            f.ReadExactly(tail);
            for (int i = n - 2; i >= 0; i--) if (tail[i] == 0xFF && tail[i + 1] == 0xD9) return false;
            return true;
        }
        catch (IOException) { return false; }   // an unreadable file is ReadFrames' error to report
        catch (UnauthorizedAccessException) { return false; }
    }

    private static List<string> Images(string dir) =>
        Directory.GetFiles(dir).Where(f => ImageExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
            .Order(NaturalOrder.Instance).ToList();

    private static Sequence Make(string name, string path, string format, List<string> frames, List<BoxF> gt, bool oneBased, List<string>? warnings = null, string? gtPath = null)
    {
        // Frames and ground truth can disagree in length (OTB has such sequences): every frame is tracked, the
        // common part is evaluated, and the user is told.
        warnings ??= new List<string>();
        gt = MarkAbsent(path, gt, warnings);
        var truncated = frames.Where(IsTruncatedJpeg).ToHashSet();
        if (truncated.Count > 0)
            warnings.Add($"'{path}': {truncated.Count} JPEG frame(s) end early (first: {System.IO.Path.GetFileName(truncated.Order(NaturalOrder.Instance).First())}); their missing part decodes as grey.");
        if (gt.Count > frames.Count) warnings.Add($"'{path}': {gt.Count} ground-truth lines for {frames.Count} frames; the last {gt.Count - frames.Count} line(s) are ignored.");
        else if (gt.Count > 0 && gt.Count < frames.Count) warnings.Add($"'{path}': {frames.Count} frames but {gt.Count} ground-truth lines; frames {gt.Count + 1}–{frames.Count} are tracked but not evaluated.");
        return new Sequence
        {
            Name = name, Path = path, Format = format, Frames = frames,
            GroundTruth = gt.Take(frames.Count).ToList(), OneBased = oneBased, GroundTruthPath = gtPath, FrameCount = frames.Count, Warnings = warnings,
            TruncatedFrames = truncated,
        };
    }
}
