using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.PseudoLabels;

/// <summary>Settings of the second labelling round [ours]: the cycle idea applied to the labels.</summary>
public sealed record LabelRefineConfig
{
    /// <summary>A frame joins when the forward track and the track back from the chunk's end agree this well (IoU).</summary>
    public float AgreeIou { get; init; } = 0.6f;
    /// <summary>Frames tracked forward before each check backward.</summary>
    public int Chunk { get; init; } = 10;
    /// <summary>At most this many frames added on each side of a seed.</summary>
    public int MaxExtend { get; init; } = 60;
    /// <summary>A run of reliable-quality frames this long seeds tracking (shorter than a segment: this is how a dropped video can come back).</summary>
    public int MinSeed { get; init; } = 3;

    public void Check()
    {
        if (AgreeIou is <= 0 or > 1 || Chunk < 1 || MaxExtend < 1 || MinSeed < 1)
            throw new ArgumentException("refine settings: the agreement IoU lies in (0, 1]; chunk, extension and seed length are at least 1.");
    }
}

/// <summary>
/// Extends a video's reliable frames with a trained tracker [ours]. From each seed — a run of frames whose motion
/// label is reliable — the tracker runs away from the seed a chunk at a time; a second tracker, started on the
/// chunk's last predicted box, runs back. The chunk is kept when the two tracks agree on every frame of it and
/// the track back lands on the box it started from (IoU ≥ <see cref="LabelRefineConfig.AgreeIou"/>); the first
/// chunk that fails ends the extension. Kept frames take the forward box and the worst agreement as quality.
/// Original reliable frames are never overwritten.
/// </summary>
public static class LabelRefiner
{
    /// <summary>Frames added, and the refined labels (segments and the dropped flag recomputed).</summary>
    public static (VideoLabels labels, int added) Refine(VideoLabels v, IReadOnlyList<Mat> frames, SiameseRpn model, TrackerSettings tracker,
        LabelRefineConfig rc, PseudoLabelConfig pc)
    {
        if (frames.Count != v.Frames) throw new ArgumentException($"{frames.Count} frames read for labels of {v.Frames} frames ('{v.Source}').");
        var boxes = v.Boxes.Select(b => b?.ToArray()).ToArray();
        var quality = v.Quality.ToArray();
        bool[] original = v.Quality.Select(q => q >= pc.ReliableQuality).ToArray();
        for (int f = 0; f < v.Frames; f++) if (!v.Box(f).IsValid) original[f] = false;
        var seeds = Runs(original).Where(r => r.end - r.start + 1 >= rc.MinSeed).ToList();
        // Both tracks run the same preset (the shipped one's filters with `--preset shipped`).
        using var forward = new SiamRpnTracker(model, tracker);
        using var backward = new SiamRpnTracker(model, tracker);
        int added = 0;
        foreach (var (start, end) in seeds)
        {
            added += Extend(end, +1);
            added += Extend(start, -1);
        }
        var segments = PseudoLabeller.Segments(quality, pc);
        float videoQuality = quality.Average();
        bool drop = segments.Length == 0 || videoQuality < pc.MinVideoQuality;
        var refined = new VideoLabels
        {
            Source = v.Source, Frames = v.Frames, Width = v.Width, Height = v.Height, Boxes = boxes, Quality = quality, VideoQuality = videoQuality,
            Segments = segments, Dropped = drop,
            Reason = drop ? (segments.Length == 0 ? $"no reliable run of {pc.MinSegment}+ frames after refining" : $"video quality {videoQuality:0.00} < {pc.MinVideoQuality}") : null,
        };
        return (refined, added);

        // Tracks from a seed's edge frame in direction dir; returns the frames that became reliable.
        int Extend(int from, int dir)
        {
            int limit = from;
            while (Math.Abs(limit - from) < rc.MaxExtend && limit + dir >= 0 && limit + dir < v.Frames && !original[limit + dir]) limit += dir;
            if (limit == from) return 0;
            var seedBox = v.Box(from);
            forward.Init(frames[from], seedBox);
            int c = from, gained = 0;
            var at = seedBox;
            while (c != limit)
            {
                int stop = dir > 0 ? Math.Min(c + rc.Chunk, limit) : Math.Max(c - rc.Chunk, limit);
                int len = Math.Abs(stop - c);
                var ahead = new BoxF[len + 1];
                ahead[0] = at;
                for (int k = 1; k <= len; k++) ahead[k] = forward.Track(frames[c + dir * k]);
                backward.Init(frames[stop], ahead[len]);
                double agree = 1;
                for (int k = len - 1; k >= 0 && agree >= rc.AgreeIou; k--)
                    agree = Math.Min(agree, backward.Track(frames[c + dir * k]).Iou(ahead[k]));
                if (agree < rc.AgreeIou) break;
                float q = (float)Math.Max(agree, pc.ReliableQuality);
                for (int k = 1; k <= len; k++)
                {
                    int f = c + dir * k;
                    if (quality[f] >= q && quality[f] >= pc.ReliableQuality) continue; // another seed's extension was surer
                    if (quality[f] < pc.ReliableQuality) gained++;
                    var b = ahead[k];
                    boxes[f] = new[] { b.X, b.Y, b.W, b.H };
                    quality[f] = q;
                }
                at = ahead[len];
                c = stop;
            }
            return gained;
        }
    }

    /// <summary>Inclusive runs of true values.</summary>
    public static List<(int start, int end)> Runs(bool[] flags)
    {
        var runs = new List<(int, int)>();
        int s = -1;
        for (int t = 0; t <= flags.Length; t++)
        {
            bool on = t < flags.Length && flags[t];
            if (on && s < 0) s = t;
            if (!on && s >= 0) { runs.Add((s, t - 1)); s = -1; }
        }
        return runs;
    }
}
