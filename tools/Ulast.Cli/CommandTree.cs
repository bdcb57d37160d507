using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.Globalization;
using static Ulast.Cli.OptionSpec;

namespace Ulast.Cli;

/// <summary>
/// The command line on System.CommandLine: every command and option declared once (<see cref="OptionSpec"/>), with its
/// type, range and help text; the tracker's options in <see cref="TrackerOptions"/>. Parsing, `--help` and type and range
/// errors are System.CommandLine's; a parsed command hands its typed values to the command's Run(<see cref="Options"/>).
/// </summary>
public static class CommandTree
{
    /// <summary>The command tree; with <paramref name="intercept"/>, every command hands its options there instead of running.</summary>
    public static Command Build(Func<Options, int>? intercept = null)
    {
        Command Make(string name, string description, Func<Options, int> run, IEnumerable<OptionSpec> specs) => MakeCommand(name, description, intercept ?? run, specs);
        // Named, not RootCommand's process name: help says "ulast" however it was started (dotnet ulast.dll, a test host).
        var root = new Command("ulast", "ulast — unsupervised Siamese tracking (ULAST) on ILGPU kernels") { new HelpOption() };
        root.Subcommands.Add(Make("track", "Track an object through a video or a sequence folder.", o => Commands.TrackCommand.Run(o),
            Commands.TrackCommand.Specs.Concat(Commands.ModelSource.Specs).Concat(TrackerOptions.All).Concat(Options.DeviceSpecs)));
        root.Subcommands.Add(Make("eval", "One-pass evaluation (AUC, precision, normalised precision, FPS) beside OpenCV's KCF, CSRT and MIL.", o => Commands.EvalCommand.Run(o),
            Commands.EvalCommand.Specs.Concat(Commands.ModelSource.Specs).Concat(TrackerOptions.All).Concat(Options.DeviceSpecs)));
        root.Subcommands.Add(Make("model", "Write an untrained (or ImageNet-initialised) model checkpoint, or the weight average of checkpoints.", o => Commands.ModelCommand.Run(o),
            Commands.ModelCommand.Specs.Concat(Options.DeviceSpecs)));
        root.Subcommands.Add(Make("pseudo-label", "Pseudo labels for unlabelled videos (or, with --quality, their quality on annotated ones).", o => Commands.PseudoLabelCommand.Run(o),
            Commands.PseudoLabelCommand.Specs.Concat(Commands.RefineLabels.Specs).Concat(TrackerOptions.All).Concat(Options.DeviceSpecs)));
        root.Subcommands.Add(Make("train", "Train from unlabelled video: naive pairs and the forward-backward cycle.", o => Commands.TrainCommand.Run(o),
            Commands.TrainCommand.Specs.Concat(TrainOptions.Overrides).Concat(Options.DeviceSpecs)));
        var bench = new Command("bench", "Benchmarks: kernels, ops, tracking and training steps.");
        bench.Subcommands.Add(Make("kernels", "Every kernel at tracking and training shapes.", Bench.BenchCommands.Kernels.Run, Bench.BenchCommands.Kernels.Specs.Concat(Options.DeviceSpecs)));
        bench.Subcommands.Add(Make("ops", "Autograd ops forward and backward.", Bench.BenchCommands.Ops.Run, Bench.BenchCommands.Ops.Specs.Concat(Options.DeviceSpecs)));
        bench.Subcommands.Add(Make("track", "Tracking speed per frame (offline and online, alternating).", Bench.BenchCommands.Track.Run, Bench.BenchCommands.Track.Specs.Concat(Options.DeviceSpecs)));
        bench.Subcommands.Add(Make("train", "Training step time, split into forward, backward and optimiser.", Bench.BenchCommands.Train.Run, Bench.BenchCommands.Train.Specs.Concat(Options.DeviceSpecs)));
        bench.Subcommands.Add(Make("soak", "Resident memory over a long tracking run (a leak shows as growth).", Bench.BenchCommands.Soak.Run, Bench.BenchCommands.Soak.Specs.Concat(Options.DeviceSpecs)));
        root.Subcommands.Add(bench);
        root.Subcommands.Add(Make("gradcheck", "Finite-difference gradient check of every op.", o => Ulast.GradCheck.Program.Run(o.Arguments, Console.Out),
            new[] { Text("--op", "only this op [default: every op]"), Int("--seed", "random seed [default: 1]", int.MinValue, int.MaxValue), Int("--samples", "points checked per input [default: 12]", 1, 10_000), Flag("--list", "list the ops") }.Concat(Options.DeviceSpecs)));
        root.Subcommands.Add(Make("device", "Show the device that would run.", o => Program.ShowDevice(o), Options.DeviceSpecs));
        return root;
    }

    private static Command MakeCommand(string name, string description, Func<Options, int> run, IEnumerable<OptionSpec> specs)
    {
        var command = new Command(name, description);
        var options = new List<(OptionSpec spec, Option option)>();
        foreach (var s in specs)
        {
            Option option = s.Kind switch
            {
                OptionKind.Flag => new Option<bool>(s.Name) { Description = s.Help, Arity = ArgumentArity.Zero },
                OptionKind.Int => Ranged(new Option<int>(s.Name) { Description = s.Help }, s),
                OptionKind.Number => Ranged(new Option<float>(s.Name) { Description = s.Help }, s),
                OptionKind.OptionalText => new Option<string>(s.Name) { Description = s.Help, Arity = ArgumentArity.ZeroOrOne },
                _ => new Option<string>(s.Name) { Description = s.Help },
            };
            command.Options.Add(option);
            options.Add((s, option));
        }
        command.SetAction(parsed =>
        {
            // The given options' typed values, in declaration order (the order tracker options apply in).
            var given = new List<(OptionSpec, object)>();
            foreach (var (spec, option) in options)
            {
                if (parsed.GetResult(option) is not { Implicit: false }) continue;
                if (spec.Excludes is { } other && options.Any(o => o.spec.Name == other && parsed.GetResult(o.option) is { Implicit: false }))
                    throw new ArgumentException($"{spec.Name} and {other} contradict each other: give one.");
                object value = spec.Kind switch
                {
                    OptionKind.Flag => true,
                    OptionKind.Int => parsed.GetValue((Option<int>)option),
                    OptionKind.Number => parsed.GetValue((Option<float>)option),
                    _ => parsed.GetValue((Option<string>)option) ?? "",
                };
                given.Add((spec, value));
            }
            var words = parsed.Tokens.SkipWhile(t => t.Type == TokenType.Command).Select(t => t.Value).ToArray();
            return run(new Options(given, words));
        });
        return command;
    }

    /// <summary>
    /// A command's options parsed as the command line would (for tests and for a command that runs another command):
    /// a parse error is an <see cref="ArgumentException"/>.
    /// </summary>
    public static Options Parse(string commandPath, params string[] args)
    {
        Options? result = null;
        var parsed = Build(o => { result = o; return 0; }).Parse(commandPath.Split(' ').Concat(args).ToArray());
        if (parsed.Errors.Count > 0) throw new ArgumentException(string.Join(" ", parsed.Errors.Select(e => e.Message).Distinct()));
        parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        return result ?? throw new ArgumentException($"'{commandPath}' is not a command.");
    }

    /// <summary>
    /// Checks a number against its spec's range (and, for decimals, that it is finite). A token that is not a number is
    /// System.CommandLine's own error; the message says the range, so the user knows what to give.
    /// </summary>
    private static Option<T> Ranged<T>(Option<T> option, OptionSpec spec)
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0 || !double.TryParse(r.Tokens[^1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) return;
            if (!double.IsFinite(v)) r.AddError($"{option.Name} must be a finite number, got {r.Tokens[^1].Value}.");
            else if (v < spec.Min || v > spec.Max)
                r.AddError(spec.Max >= int.MaxValue ? $"{option.Name} must be at least {spec.Min.ToString(CultureInfo.InvariantCulture)}, got {r.Tokens[^1].Value}."
                    : $"{option.Name} must lie in {spec.RangeText}, got {r.Tokens[^1].Value}.");
        });
        return option;
    }

    /// <summary>Parses and runs: 0 done, 1 bad data or a runtime failure (exceptions pass to the caller), 2 a usage error.</summary>
    public static int Invoke(string[] args)
    {
        var root = Build();
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0 && UnknownCommand(root, args) is { } unknown)
        {
            Console.Error.WriteLine("error: " + unknown);
            Console.Error.WriteLine("Run 'ulast --help' for the commands.");
            return 2;
        }
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors.Select(e => e.Message).Distinct()) Console.Error.WriteLine("error: " + e);
            Console.Error.WriteLine($"Run 'ulast {string.Join(' ', CommandPath(parsed))} --help' for usage.".Replace("  ", " "));
            return 2;
        }
        return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }

    /// <summary>A first word (or bench's second) that names no command, with the nearest command's name; null when the words are commands.</summary>
    private static string? UnknownCommand(Command root, string[] args)
    {
        var command = root;
        foreach (var word in args.TakeWhile(a => !a.StartsWith('-')))
        {
            if (command.Subcommands.Count == 0) return null;
            var next = command.Subcommands.FirstOrDefault(c => c.Name == word);
            if (next is null)
            {
                // A command the word begins with (or that begins with it) first, else the fewest edits away.
                bool SharesItsBeginning(string n) => word.StartsWith(n, StringComparison.Ordinal) || n.StartsWith(word, StringComparison.Ordinal);
                var names = command.Subcommands.Select(c => c.Name).ToList();
                var nearest = names.FirstOrDefault(SharesItsBeginning) ?? names.MinBy(n => EditDistance(n, word))!;
                var path = command == root ? "" : command.Name + " ";
                return SharesItsBeginning(nearest) || EditDistance(nearest, word) <= Math.Max(2, word.Length / 3)
                    ? $"'{path}{word}' is not a ulast command; did you mean '{path}{nearest}'?"
                    : $"'{path}{word}' is not a ulast command; the commands are {string.Join(", ", command.Subcommands.Select(c => c.Name))}.";
            }
            command = next;
        }
        return null;
    }

    /// <summary>Levenshtein distance: the fewest single-letter insertions, deletions and substitutions from a to b.</summary>
    private static int EditDistance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    private static IEnumerable<string> CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (SymbolResult? r = parsed.CommandResult; r is CommandResult c && c.Command.Name != "ulast"; r = r.Parent) names.Insert(0, c.Command.Name);
        return names;
    }
}
