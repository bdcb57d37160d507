using Ulast.Tracker.Tracking;

namespace Ulast.Cli;

/// <summary>
/// A command's options as System.CommandLine parsed them: typed values, read through their <see cref="OptionSpec"/>, and
/// the options that set a settings record applied straight to it (<see cref="Apply{T}"/>, <see cref="Tracker"/>). A
/// command calls <see cref="EnsureAllUsed"/> after reading, so that an option it does not act on is an error.
/// </summary>
public sealed class Options
{
    private readonly IReadOnlyList<(OptionSpec Spec, object Value)> _given;
    private readonly HashSet<string> _used = new();

    /// <summary>The words after the command, as typed (for a command that parses them itself).</summary>
    public string[] Arguments { get; }

    public Options(IReadOnlyList<(OptionSpec Spec, object Value)> given, string[] arguments)
    {
        _given = given;
        Arguments = arguments;
    }

    private object? Value(string name)
    {
        _used.Add(name);
        foreach (var (spec, value) in _given) if (spec.Name == name) return value;
        return null;
    }

    public string? String(OptionSpec spec) => (string?)Value(spec.Name);
    public int Int(OptionSpec spec, int fallback) => Value(spec.Name) is int v ? v : fallback;

    /// <summary>An integer option that, when given, must be at least <paramref name="min"/> (its declared range is checked at parsing too).</summary>
    public int Int(OptionSpec spec, int fallback, int min)
    {
        if (Value(spec.Name) is not int v) return fallback;
        return v >= min ? v : throw new ArgumentException($"{spec.Name} must be at least {min}, got {v}.");
    }

    public float Float(OptionSpec spec, float fallback) => Value(spec.Name) is float v ? v : fallback;
    public bool Flag(OptionSpec spec) => Value(spec.Name) is true;

    /// <summary>
    /// <paramref name="start"/> with every given option that sets a property of <typeparamref name="T"/> applied, in
    /// declaration order (<paramref name="only"/>: just those options).
    /// </summary>
    public T Apply<T>(T start, IReadOnlyCollection<string>? only = null) where T : class
    {
        object s = start;
        foreach (var (spec, value) in _given)
        {
            if (spec.Target != typeof(T) || (only is not null && !only.Contains(spec.Name))) continue;
            _used.Add(spec.Name);
            s = spec.Sets!(s, value);
        }
        return (T)s;
    }

    /// <summary>A preset's settings with the tracker options given (<see cref="TrackerOptions"/>), checked: a bad combination is one line naming the stage.</summary>
    public TrackerSettings Tracker(TrackerSettings preset)
    {
        var s = Apply(preset);
        s.Validate();
        return s;
    }

    /// <summary>Where a command runs: every command takes these.</summary>
    public static readonly OptionSpec DeviceKind = OptionSpec.Text("--device", "auto (CUDA if present, else CPU), cuda or cpu [default: auto]");
    public static readonly OptionSpec Kernels = OptionSpec.Flag("--kernels", "on the CPU, run every op through ILGPU's CPU accelerator (slow; for checking)");
    public static readonly OptionSpec NoWinograd = OptionSpec.Flag("--no-winograd", "on the CPU, run 3×3 stride-1 convolutions as im2col + GEMM instead of Winograd's F(2×2, 3×3)");
    public static readonly OptionSpec[] DeviceSpecs = { DeviceKind, Kernels, NoWinograd };

    public Device CreateDevice()
    {
        var dev = Device.Create(String(DeviceKind) ?? "auto");
        if (Flag(Kernels)) dev.UseHostPath = false;
        if (Flag(NoWinograd)) dev.Tuning = dev.Tuning with { Winograd = false };
        return dev;
    }

    /// <summary>
    /// A device for commands that only track: its pool keeps at most <see cref="SiamRpnTracker.IdleBufferBytes"/> idle.
    /// The search region uploaded each frame has a size of its own, and under the training-sized cap (3 GiB) those
    /// one-off buffers piled up: 0.38 → 0.76 GB resident over 3,000 frames of one sequence.
    /// </summary>
    public Device CreateTrackingDevice()
    {
        var dev = CreateDevice();
        dev.Pool.MaxIdleBytes = SiamRpnTracker.IdleBufferBytes;
        return dev;
    }

    /// <param name="why">Why such options do nothing here, for the message (default: this command does not act on them).</param>
    public void EnsureAllUsed(string? why = null)
    {
        var unknown = _given.Select(g => g.Spec.Name).Where(n => !_used.Contains(n)).Distinct().ToList();
        if (unknown.Count > 0) throw new ArgumentException(why is null ? $"This command does not act on {string.Join(", ", unknown)} here." : $"{string.Join(", ", unknown)}: {why}");
    }
}
