using System.Diagnostics;
using System.Text.Json;
using Ulast.Tracker.Data;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Cli.Bench;

/// <summary>
/// `ulast bench soak`: one tracker runs without a restart for many frames — forward and back over the first frames of
/// a sequence, so the target stays in view — and the process's resident memory is sampled as it goes. A leak per
/// frame (a tensor, a Mat, a memory-queue entry not freed) shows as growth between the first and the last sample.
/// </summary>
public static class SoakBench
{
    public static int Run(Device dev, SiameseRpn model, string sequencePath, int frames, bool online, string? jsonPath, TextWriter o, bool filter = false)
    {
        var seq = SequenceLoader.Load(sequencePath);
        var init = seq.GroundTruth.Count > 0 ? seq.GroundTruth[0] : throw new ArgumentException($"'{sequencePath}' has no ground truth to start from.");
        var mats = seq.ReadFrames().Take(300).ToList();
        if (mats.Count < 2) throw new ArgumentException($"'{sequencePath}' has fewer than 2 frames.");
        using var tracker = new SiamRpnTracker(model, new TrackerSettings { Online = online ? new OnlineConfig { MinScore = 0f } : null, Filter = filter ? new FilterConfig() : null });
        tracker.Init(mats[0], init);
        int every = Math.Max(1, frames / 10);
        var samples = new List<(int frame, long rss, double msPerFrame)>();
        o.WriteLine($"device: {dev.Name}; {(online ? "online" : "offline")} tracker{(filter ? " with the discriminative filter" : "")}, {frames:N0} frames forward and back over {mats.Count} frames of {seq.Name}");
        o.WriteLine($"{"frame",8} {"resident",10} {"ms/frame",9}");
        var sw = Stopwatch.StartNew();
        int index = 0, step = 1;
        var bar = new ProgressBar("soak", frames);
        for (int f = 1; f <= frames; f++)
        {
            if (index + step < 0 || index + step >= mats.Count) step = -step;
            index += step;
            tracker.Track(mats[index]);
            bar.Report(f);
            if (f % every == 0 || f == frames)
            {
                GC.Collect();
                var (rss, _) = ProcessMemory.Read();
                samples.Add((f, rss, sw.Elapsed.TotalMilliseconds / every));
                sw.Restart();
            }
        }
        bar.Complete(frames);
        foreach (var s in samples) o.WriteLine($"{s.frame,8:N0} {ProcessMemory.Gb(s.rss),10} {s.msPerFrame,9:F2}");
        var (_, peak) = ProcessMemory.Read();
        long growth = samples[^1].rss - samples[0].rss;
        o.WriteLine($"resident memory from frame {samples[0].frame:N0} to {samples[^1].frame:N0}: {growth / 1e6:+0.0;-0.0} MB; peak {ProcessMemory.Gb(peak)}; last box {tracker.LastScore:F2} score");
        foreach (var m in mats) m.Dispose();
        if (jsonPath is not null)
        {
            AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(new
            {
                device = dev.Name, sequence = seq.Name, frames, online, filter, growth_bytes = growth, peak_bytes = peak,
                samples = samples.Select(s => new { s.frame, resident_bytes = s.rss, ms_per_frame = Math.Round(s.msPerFrame, 3) }),
            }, new JsonSerializerOptions { WriteIndented = true }));
            o.WriteLine($"wrote {jsonPath}");
        }
        return 0;
    }
}
