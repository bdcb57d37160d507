using static Ulast.Cli.OptionSpec;
using System.Globalization;
using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.Tracking;

namespace Ulast.Cli.Commands;

/// <summary>ulast track --input VIDEO|FOLDER [--box x,y,w,h] [--out boxes.txt] [--video out.mp4] [--preset shipped|siamese|online|online-shipped] [--lost] [tracker and model options]</summary>
public static class TrackCommand
{
    public static readonly OptionSpec Input = Text("--input", "video file or sequence folder (required)");
    public static readonly OptionSpec Box = Text("--box", "first box x,y,w,h [default: the sequence's first ground-truth box]");
    public static readonly OptionSpec Out = Text("--out", "boxes file [default: out/track/NAME.txt]");
    public static readonly OptionSpec Video = Text("--video", "also write the frames with the boxes drawn (e.g. OUT.mp4) [default: no video]");
    public static readonly OptionSpec Frames = Int("--frames", "track at most this many frames [default: all]", 1, int.MaxValue);
    public static readonly OptionSpec Preset = TrackerOptions.Preset("the tracker", "shipped");
    public static readonly OptionSpec Lost = Flag("--lost", "[ours] lost-target handling: hold the box and stop learning while lost, and search the frame to find the target again (the state column is written either way)");
    public static readonly OptionSpec Plain = Flag("--plain", "write x,y,w,h only, like ground truth, instead of x,y,w,h,score,state");

    /// <summary>This command's own options (the shared ones are added where the command is built).</summary>
    public static readonly OptionSpec[] Specs = { Input, Box, Out, Video, Frames, Preset, Lost, Plain };

    public static int Run(Options o)
    {
        var input = o.String(Input) ?? throw new ArgumentException("--input VIDEO|SEQUENCE_FOLDER is required.");
        var boxText = o.String(Box);
        var outPath = o.String(Out) ?? Path.Combine("out", "track", Path.GetFileNameWithoutExtension(input.TrimEnd('/')) + ".txt");
        var videoPath = o.String(Video);
        int limit = o.Int(Frames, int.MaxValue, 1);
        // What the user typed is checked before anything loads: a bad --box or --out fails at once.
        BoxF? given = boxText is null ? null : ParseBox(boxText);
        OutputCheck.File(outPath, Out.Name);
        OutputCheck.File(videoPath, Video.Name);
        using var dev = o.CreateTrackingDevice();
        using var model = ModelSource.Load(o, dev, Console.Out);
        // The shipped preset [ours: the discriminative and scale filters] unless another is named: it scores best on the dev set.
        var preset = TrackerPresets.Get(o.String(Preset) ?? "shipped");
        // [ours] The state column is written either way; --lost also acts on it (hold, stop learning, search the frame).
        var settings = o.Tracker(o.Flag(Lost) ? TrackerPresets.WithLostHandling(preset.Settings) : preset.Settings);
        bool plain = o.Flag(Plain);
        o.EnsureAllUsed();
        Console.WriteLine($"device: {dev.Name}; tracker: {preset.Name}{(settings.Lost is { Freeze: true } ? " with lost-target handling" : "")}");
        var seq = SequenceLoader.Load(input);
        foreach (var w in seq.Warnings) Console.Error.WriteLine("warning: " + w);
        BoxF init = given is { } g ? g
            : seq.HasGroundTruth && seq.GroundTruth[0].IsValid ? seq.GroundTruth[0]
            : seq.HasGroundTruth ? throw new BadDataException($"{seq.GroundTruthSource}:1 is not a box (it needs finite numbers and a positive size): give --box x,y,w,h to start.")
            : throw new ArgumentException($"'{input}' has no ground truth to start from: give --box x,y,w,h.");
        using var tracker = new SiamRpnTracker(model, settings);
        var boxes = new List<BoxF>();
        var scores = new List<float>();
        var states = new List<TargetState>();
        VideoWriter? writer = null;
        int total = Math.Min(limit, seq.FrameCount > 0 ? seq.FrameCount : limit);
        var bar = new ProgressBar(seq.Name, total == int.MaxValue ? 1 : total);
        var renderTmp = videoPath is null ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(videoPath))!, ".tmp-" + Environment.ProcessId + "-" + Path.GetFileName(videoPath));
        try
        {
            ProgressBar.Live(() =>
            {
            int i = 0;
            foreach (var frame in seq.ReadFrames())
            {
                using (frame)
                {
                    if (i == 0)
                    {
                        // The first box against the frame, named by where it came from (a usage error or a bad file).
                        if (init.InitProblem(frame.Width, frame.Height) is { } problem)
                            throw boxText is not null ? new ArgumentException($"--box {boxText}: {problem}.")
                                : new BadDataException($"{seq.GroundTruthSource}:1: {problem}; give --box x,y,w,h to start elsewhere.");
                        tracker.Init(frame, init);
                        boxes.Add(init);
                        scores.Add(1f);
                        states.Add(TargetState.Tracking);
                    }
                    else { boxes.Add(tracker.Track(frame)); scores.Add(tracker.LastScore); states.Add(tracker.State); }
                    if (renderTmp is not null)
                    {
                        if (writer is null)
                        {
                            Directory.CreateDirectory(Path.GetDirectoryName(renderTmp)!);
                            writer = new VideoWriter(renderTmp, FourCC.FromString("mp4v"), 25, new Size(frame.Width, frame.Height));
                            if (!writer.IsOpened()) throw new IOException($"Cannot write video '{videoPath}'.");
                        }
                        Render(frame, boxes[^1], scores[^1], i, states[^1]);
                        writer.Write(frame);
                    }
                }
                i++;
                bar.Report(i);
                if (i >= limit) break;
            }
            });
        }
        catch
        {
            // Nothing half-written stays behind (a full disk, a bad frame): the video's temporary file goes too.
            writer?.Dispose();
            writer = null;
            if (renderTmp is not null) AtomicFile.TryDelete(renderTmp);
            throw;
        }
        finally { writer?.Dispose(); }
        // A video's header can claim more frames than decode (tree.avi: 444 claimed, 68 decodable).
        bar.Complete(boxes.Count);
        if (seq.VideoPath is not null && boxes.Count < Math.Min(limit, seq.FrameCount))
            Console.Error.WriteLine($"warning: '{input}' claims {seq.FrameCount} frames but only {boxes.Count} could be decoded; all of them were tracked.");
        if (renderTmp is not null) File.Move(renderTmp, Path.GetFullPath(videoPath!), overwrite: true);
        AtomicFile.WriteAllText(outPath, plain ? GroundTruth.Format(boxes, seq.OneBased) : TrackOutput.Format(boxes, scores, states, seq.OneBased));
        int lostFrames = states.Count(s => s == TargetState.Lost), uncertain = states.Count(s => s == TargetState.Uncertain);
        Console.WriteLine($"wrote {boxes.Count} boxes to {outPath} ({(plain ? "x,y,w,h" : "x,y,w,h,score,state")}{(seq.OneBased ? ", 1-based like the sequence's ground truth" : "")}){(videoPath is null ? "" : $" and {videoPath}")}; {uncertain} frame(s) uncertain, {lostFrames} lost{(settings.Lost is { Freeze: true } ? "" : " (reported only; --lost acts on it)")}");
        return 0;
    }

    public static void Render(Mat frame, BoxF b, float score, int index, TargetState state = TargetState.Tracking)
    {
        // Green while tracking, yellow when uncertain, red and thin while lost.
        var colour = state switch { TargetState.Tracking => new Scalar(0, 255, 0), TargetState.Uncertain => new Scalar(0, 220, 255), _ => new Scalar(0, 0, 255) };
        Cv2.Rectangle(frame, new Rect((int)b.X, (int)b.Y, (int)b.W, (int)b.H), colour, state == TargetState.Lost ? 1 : 2);
        // Text sized to the frame (a 0.7 font overflows a 160-pixel-wide frame), outlined to stay readable on bright frames.
        string text = FormattableString.Invariant($"#{index} score {score:0.00} {TargetStates.Name(state)}");
        double scale = Math.Clamp(frame.Width / 700.0, 0.3, 1.0);
        int thick = scale < 0.5 ? 1 : 2;
        var at = new Point(Math.Max(2, frame.Width / 100), (int)(26 * scale) + 4);
        Cv2.PutText(frame, text, at, HersheyFonts.HersheySimplex, scale, Scalar.Black, thick + 2, LineTypes.AntiAlias);
        Cv2.PutText(frame, text, at, HersheyFonts.HersheySimplex, scale, new Scalar(0, 255, 255), thick, LineTypes.AntiAlias);
    }

    public static BoxF ParseBox(string text)
    {
        var p = text.Split(',', StringSplitOptions.TrimEntries);
        if (p.Length != 4 || !p.All(v => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            throw new ArgumentException($"--box expects x,y,w,h (0-based pixels), got '{text}'.");
        var v = p.Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var b = new BoxF(v[0], v[1], v[2], v[3]);
        if (!v.All(float.IsFinite)) throw new ArgumentException($"--box {text}: every number must be finite (and within float range, ±3.4e38).");
        if (!b.IsValid) throw new ArgumentException($"--box {text} needs a positive width and height.");
        return b;
    }
}
