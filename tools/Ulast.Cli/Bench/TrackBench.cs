using System.Diagnostics;
using System.Text.Json;
using Ulast.Tracker.Data;
using Ulast.Tracker.Evaluation;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Cli.Bench;

/// <summary>
/// `ulast bench track`: per-frame time of our tracker (small and resnet50, split into backbone,
/// head and post-processing) and of OpenCV's KCF and CSRT, on the same frames of a shared sequence.
/// </summary>
public static class TrackBench
{
    /// <summary>The shipped model's backbone first, then the small preset (the figures README quotes).</summary>
    public const string DefaultBackbones = "resnet18,small";
    public const string ResNet50Speed = "about 1 s a frame on a 2-core CPU";
    public const string ResNet50Note = "note: resnet50 (SiamRPN++'s three-level backbone) is slow here, " + ResNet50Speed + ": the default 40 frames × 4 trackers × 3 rounds take about 10 minutes (--frames 5 for a glance).";

    public static int Run(Device dev, string sequencePath, int frames, string[] backbones, string? jsonPath, TextWriter o)
    {
        var seq = SequenceLoader.Load(sequencePath);
        var mats = seq.ReadFrames().Take(frames + 1).ToList();
        var init = seq.GroundTruth.Count > 0 ? seq.GroundTruth[0] : throw new ArgumentException($"'{sequencePath}' has no ground truth to start from.");
        o.WriteLine($"device: {dev.Name}; sequence {seq.Name} ({mats[0].Width}×{mats[0].Height}), {mats.Count - 1} tracked frames, medians");
        o.WriteLine($"{"tracker",-20} {"ms/frame",9} {"FPS",8} {"backbone",9} {"head",8} {"post",8} {"mean",8}");
        var rows = new List<object>();
        foreach (var backbone in backbones)
        {
            using var model = new SiameseRpn(dev, BenchBackbone.Config(backbone));
            using var offline = new SiamRpnTracker(model);
            // ULAST-on with its gate open (every UpdateInterval-th frame enters the queue and rebuilds the memory
            // template): the most the memory can cost, whatever the scores of this untrained network.
            using var online = new SiamRpnTracker(model, new TrackerSettings { Online = new OnlineConfig { MinScore = 0f } });
            // The discriminative filter [ours] with its gate open: a sample and an update every UpdateInterval frames.
            using var filter = new SiamRpnTracker(model, new TrackerSettings { Filter = new FilterConfig { MinScore = 0f } });
            // The same with DSST's scale filter [ours] setting the box's size.
            using var scaled = new SiamRpnTracker(model, new TrackerSettings { Filter = new FilterConfig { MinScore = 0f }, Scale = new ScaleConfig() });
            // Offline, online and filter alternate over the same frames (the machine's speed drifts): their ratios are what counts.
            var times = new[] { new Times(), new Times(), new Times(), new Times() };
            Dictionary<string, double>? ops = null, filterOps = null;
            for (int round = 0; round < 3; round++)
            {
                if (round == 2) OpProfiler.Start(dev);   // where a frame's time goes, from the last offline round
                Measure(offline, times[0]);
                if (round == 2) ops = OpProfiler.Stop();
                Measure(online, times[1]);
                if (round == 2) OpProfiler.Start(dev);
                Measure(filter, times[2]);
                if (round == 2) filterOps = OpProfiler.Stop();
                Measure(scaled, times[3]);
            }
            Add(rows, o, $"ulast-{backbone}", times[0]);
            Add(rows, o, $"ulast-{backbone}-online", times[1]);
            Add(rows, o, $"ulast-{backbone}-dcf", times[2]);
            Add(rows, o, $"ulast-{backbone}-dcf-scale", times[3]);
            o.WriteLine($"{"",-20} online / offline: {times[1].Total.Average() / times[0].Total.Average():F3}× mean, {Median(times[1].Total) / Median(times[0].Total):F3}× median");
            o.WriteLine($"{"",-20} dcf / offline: {times[2].Total.Average() / times[0].Total.Average():F3}× mean, {Median(times[2].Total) / Median(times[0].Total):F3}× median");
            o.WriteLine($"{"",-20} dcf-scale / dcf: {times[3].Total.Average() / times[2].Total.Average():F3}× mean, {Median(times[3].Total) / Median(times[2].Total):F3}× median");
            int n = Math.Max(1, mats.Count - 1);
            o.WriteLine($"{"",-20} offline, ms/frame by op: " + string.Join(", ", ops!.OrderByDescending(kv => kv.Value).Take(8).Select(kv => $"{kv.Key} {kv.Value / n:F2}")));
            o.WriteLine($"{"",-20} dcf, ms/frame by op: " + string.Join(", ", filterOps!.OrderByDescending(kv => kv.Value).Take(10).Select(kv => $"{kv.Key} {kv.Value / n:F2}")));
            rows.Add(new { tracker = $"ulast-{backbone}", ops_ms_per_frame = ops!.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value / n, 3)) });
            rows.Add(new { tracker = $"ulast-{backbone}-dcf", ops_ms_per_frame = filterOps!.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value / n, 3)) });
        }
        foreach (var name in new[] { "kcf", "csrt" })
        {
            using var t = new OpenCvVisualTracker(name);
            t.Init(mats[0], init);
            var total = new List<double>();
            for (int i = 1; i < mats.Count; i++) { var sw = Stopwatch.StartNew(); t.Track(mats[i]); total.Add(sw.Elapsed.TotalMilliseconds); }
            Add(rows, o, name, Median(total), null, null, null, total.Average());
        }
        foreach (var m in mats) m.Dispose();
        o.WriteLine("ms/frame and FPS are medians; mean is the mean ms/frame (it includes the online memory rebuilds)");
        if (jsonPath is not null)
        {
            AtomicFile.WriteAllText(jsonPath, JsonSerializer.Serialize(new { device = dev.Name, sequence = seq.Name, frames = mats.Count - 1, results = rows }, new JsonSerializerOptions { WriteIndented = true }));
            o.WriteLine($"wrote {jsonPath}");
        }
        return 0;

        void Measure(SiamRpnTracker tracker, Times t)
        {
            tracker.Init(mats[0], init);
            for (int w = 1; w <= Math.Min(3, mats.Count - 1); w++) tracker.Track(mats[w]); // warm-up
            tracker.Init(mats[0], init);
            for (int i = 1; i < mats.Count; i++)
            {
                var sw = Stopwatch.StartNew();
                tracker.Track(mats[i]);
                t.Total.Add(sw.Elapsed.TotalMilliseconds);
                t.Backbone.Add(tracker.LastTiming.BackboneMs); t.Head.Add(tracker.LastTiming.HeadMs); t.Post.Add(tracker.LastTiming.PostMs);
            }
        }
    }

    private sealed record Times
    {
        public List<double> Total { get; } = new();
        public List<double> Backbone { get; } = new();
        public List<double> Head { get; } = new();
        public List<double> Post { get; } = new();
    }

    private static void Add(List<object> rows, TextWriter o, string name, Times t) =>
        Add(rows, o, name, Median(t.Total), Median(t.Backbone), Median(t.Head), Median(t.Post), t.Total.Average());

    private static void Add(List<object> rows, TextWriter o, string name, double ms, double? bb, double? hd, double? pp, double mean)
    {
        string F(double? v) => v is null ? "-" : v.Value.ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        o.WriteLine($"{name,-20} {ms,9:F2} {1000 / ms,8:F1} {F(bb),9} {F(hd),8} {F(pp),8} {mean,8:F2}");
        rows.Add(new { tracker = name, ms_per_frame = Math.Round(ms, 3), mean_ms_per_frame = Math.Round(mean, 3), fps = Math.Round(1000 / ms, 1), backbone_ms = bb is null ? (double?)null : Math.Round(bb.Value, 3), head_ms = hd is null ? (double?)null : Math.Round(hd.Value, 3), post_ms = pp is null ? (double?)null : Math.Round(pp.Value, 3) });
    }

    private static double Median(List<double> v)
    {
        var s = v.OrderBy(x => x).ToList();
        return s.Count == 0 ? 0 : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }
}
