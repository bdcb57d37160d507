using OpenCvSharp;
using Ulast.Tracker.Data;
using Ulast.Tracker.Model;
using Ulast.Tracker.Tracking;

namespace Ulast.Tracker.Evaluation;

/// <summary>What evaluation needs of a tracker.</summary>
public interface IVisualTracker : IDisposable
{
    string Name { get; }
    void Init(Mat frame, BoxF box);
    BoxF Track(Mat frame);
    /// <summary>The tracker's confidence in its last box (1 for the first frame).</summary>
    float Score => 1f;
    /// <summary>What the tracker says of the target in its last frame.</summary>
    TargetState State => TargetState.Tracking;
}

/// <summary>Our Siamese RPN tracker behind <see cref="IVisualTracker"/>, with a preset's <see cref="TrackerSettings"/>.</summary>
public sealed class UlastVisualTracker : IVisualTracker
{
    private readonly SiamRpnTracker _tracker;
    public UlastVisualTracker(SiameseRpn model, string name = "ulast", TrackerSettings? settings = null)
    {
        _tracker = new SiamRpnTracker(model, settings);
        Name = name;
    }
    public string Name { get; }
    public SiamRpnTracker Inner => _tracker;
    public void Init(Mat frame, BoxF box) => _tracker.Init(frame, box);
    public BoxF Track(Mat frame) => _tracker.Track(frame);
    public float Score => _tracker.LastScore;
    public TargetState State => _tracker.State;
    public void Dispose() => _tracker.Dispose();
}

/// <summary>OpenCV's KCF, CSRT and MIL trackers, for comparison in the same run.</summary>
public sealed class OpenCvVisualTracker : IVisualTracker
{
    public static readonly string[] Names = { "kcf", "csrt", "mil" };
    private OpenCvSharp.Tracker? _tracker;
    private BoxF _last;

    public OpenCvVisualTracker(string name)
    {
        if (!Names.Contains(name)) throw new ArgumentException($"Unknown OpenCV tracker '{name}': expected {string.Join(", ", Names)}.");
        Name = name;
    }

    public string Name { get; }

    public void Init(Mat frame, BoxF box)
    {
        _tracker?.Dispose();
        // MIL draws its sampling from OpenCV's generator and its Haar features from libc's rand(): seed both, so
        // that every run gives the same boxes.
        Cv2.SetTheRNG(0x5EED);
        LibcRandom.Seed(0x5EED);
        _tracker = Name switch
        {
            "kcf" => OpenCvSharp.Tracking.TrackerKCF.Create(),
            "csrt" => OpenCvSharp.Tracking.TrackerCSRT.Create(),
            _ => TrackerMIL.Create(),
        };
        var r = new Rect((int)Math.Round(box.X), (int)Math.Round(box.Y), Math.Max(1, (int)Math.Round(box.W)), Math.Max(1, (int)Math.Round(box.H)));
        _tracker.Init(frame, r);
        _last = box;
        _found = true;
    }

    private bool _found = true;

    /// <summary>OpenCV's own verdict: update() returning false (CSRT's failure threshold on its response) is "lost".</summary>
    public float Score => _found ? 1f : 0f;
    public TargetState State => _found ? TargetState.Tracking : TargetState.Lost;

    public BoxF Track(Mat frame)
    {
        if (_tracker is null) throw new InvalidOperationException("Track() before Init().");
        var r = new Rect();
        // A lost target keeps its last box (OPE never re-initialises).
        _found = _tracker.Update(frame, ref r) && r.Width > 0 && r.Height > 0;
        if (_found) _last = new BoxF(r.X, r.Y, r.Width, r.Height);
        return _last;
    }

    public void Dispose() => _tracker?.Dispose();
}

/// <summary>libc's srand(): OpenCV's MIL generates its Haar features with rand(), which no OpenCV call seeds.</summary>
internal static class LibcRandom
{
    [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "srand")]
    private static extern void SrandGlibc(uint seed);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "srand")]
    private static extern void SrandLibc(uint seed);

    /// <summary>Seeds rand(); a C library that cannot be found (not Linux) is skipped: MIL is then merely not repeatable.</summary>
    public static void Seed(uint seed)
    {
        try { SrandGlibc(seed); return; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
        try { SrandLibc(seed); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }
}
