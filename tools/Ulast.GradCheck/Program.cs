using System.Globalization;

namespace Ulast.GradCheck;

/// <summary>ulast-gradcheck [--op NAME] [--seed N] [--device auto|cuda|cpu] [--kernels] [--samples N]</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try { return Run(args, Console.Out); }
        catch (ArgumentException ex) { Console.Error.WriteLine("error: " + ex.Message); return 2; }
        catch (DeviceUnavailableException ex) { Console.Error.WriteLine("error: " + ex.Message); return 1; }
    }

    public static int Run(string[] args, TextWriter output)
    {
        string? op = null;
        int seed = 1, samples = 12;
        string device = "auto";
        bool kernels = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--op": op = Next(); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--device": device = Next(); break;
                case "--samples": samples = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--kernels": kernels = true; break;
                case "--list": foreach (var c in GradCases.All) output.WriteLine(c.Op); return 0;
                case "-h" or "--help":
                    output.WriteLine("usage: ulast-gradcheck [--op NAME] [--seed N] [--device auto|cuda|cpu] [--kernels] [--samples N] [--list]");
                    output.WriteLine("  --kernels  on the CPU, run the ILGPU kernels instead of the SIMD host path");
                    return 0;
                default: throw new ArgumentException($"Unknown option '{args[i]}'.");
            }
        }
        var cases = GradCases.All.Where(c => op is null || c.Op == op).ToList();
        if (cases.Count == 0) throw new ArgumentException($"No op named '{op}'. Use --list.");
        using var dev = Device.Create(device);
        if (kernels) dev.UseHostPath = false;
        output.WriteLine($"device: {dev.Name}   seed: {seed}   step h = {GradChecker.Step}");
        var results = cases.Select(c => GradChecker.Run(c, dev, seed, samples)).ToList();
        Print(results, output);
        int failed = results.Count(r => !r.Passed);
        output.WriteLine($"{results.Count - failed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    public static void Print(IEnumerable<GradResult> results, TextWriter o)
    {
        o.WriteLine($"{"op",-18} {"shapes",-28} {"n",4} {"kink",4} {"max abs err",12} {"max rel err",12}  result");
        foreach (var r in results)
        {
            string line = $"{r.Op,-18} {r.Shapes,-28} {r.Checked,4} {r.Skipped,4} {r.MaxAbsError,12:E2} {r.MaxRelError,12:E2}  {(r.Passed ? "pass" : "FAIL")}";
            if (r.Error is not null) line += "  " + r.Error;
            o.WriteLine(line);
        }
    }
}
