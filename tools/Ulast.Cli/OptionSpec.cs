using System.Globalization;

namespace Ulast.Cli;

public enum OptionKind { Text, OptionalText, Int, Number, Flag }

/// <summary>
/// One command-line option, declared once: its flag, kind, help and, for numbers, the closed range [Min, Max] a value must
/// lie in. An option that sets a property of a settings record (<see cref="TrackerOptions"/>, <see cref="TrainOptions"/>)
/// carries the setter (<see cref="Sets"/>): the command applies it with <see cref="Options.Apply{T}"/>.
/// <see cref="Excludes"/> names an option it may not be given with.
/// </summary>
public sealed record OptionSpec(string Name, OptionKind Kind, string Help, double Min = double.NegativeInfinity, double Max = double.PositiveInfinity)
{
    /// <summary>The settings record this option sets a property of, and how (settings, typed value) → settings.</summary>
    public Type? Target { get; private init; }
    public Func<object, object, object>? Sets { get; private init; }
    public string? Excludes { get; init; }

    /// <summary>This option, setting a property of <typeparamref name="T"/> through <paramref name="set"/>.</summary>
    public OptionSpec Binds<T>(Func<T, object, T> set) where T : class => this with { Target = typeof(T), Sets = (s, v) => set((T)s, v) };

    public static OptionSpec Text(string name, string help) => new(name, OptionKind.Text, help);
    /// <summary>A text option whose value may be left out (it then reads as "").</summary>
    public static OptionSpec OptionalText(string name, string help) => new(name, OptionKind.OptionalText, help);
    /// <summary>An integer option; every one has an upper bound, so that no value allocates without limit.</summary>
    public static OptionSpec Int(string name, string help, int min = 1, int max = 1_000_000) => new(name, OptionKind.Int, help, min, max);
    public static OptionSpec Number(string name, string help, double min = double.NegativeInfinity, double max = double.PositiveInfinity) => new(name, OptionKind.Number, help, min, max);
    public static OptionSpec Flag(string name, string help) => new(name, OptionKind.Flag, help);

    /// <summary>The "[default: X]" of a help text, X read from the settings record that owns it (declared there once).</summary>
    public static string D(object value) => "[default: " + (value switch
    {
        float f => f.ToString("0.#####", CultureInfo.InvariantCulture),
        double d => d.ToString("0.#####", CultureInfo.InvariantCulture),
        bool b => b ? "on" : "off",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    }) + "]";

    public string RangeText =>
        Max == double.PositiveInfinity ? $"[{Min.ToString(CultureInfo.InvariantCulture)}, ∞)"
        : Min == double.NegativeInfinity ? $"(−∞, {Max.ToString(CultureInfo.InvariantCulture)}]"
        : $"[{Min.ToString(CultureInfo.InvariantCulture)}, {Max.ToString(CultureInfo.InvariantCulture)}]";
}
