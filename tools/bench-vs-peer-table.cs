// The ratio table of tools/bench-vs-peer.sh: reads its rounds (Ulast's JSON, the peer's CSV) and prints, per case,
// each round's times and libtorch time / Ulast time (> 1: Ulast is faster), and the median ratio over the rounds.
// usage: dotnet run tools/bench-vs-peer-table.cs -- OUT_DIR ROUNDS
using System.Globalization;
using System.Text.Json;

var dir = args[0];
int rounds = int.Parse(args[1]);
var inv = CultureInfo.InvariantCulture;
// case label, Ulast source (file prefix, case, mode) and the peer's (name, mode)
var cases = new (string label, string file, string ucase, string umode, string pname, string pmode)[]
{
    ("conv 3×3 [8,64,32,32]→64 forward", "kernels", "conv3x3 [8,64,32,32]->64", "forward", "c64_32x32_3x3", "fwd"),
    ("conv 3×3 [8,64,32,32]→64 forward+backward", "kernels", "conv3x3 [8,64,32,32]->64", "forward+backward", "c64_32x32_3x3", "fwd+bwd"),
    ("conv 3×3 [8,256,31,31]→256 forward", "kernels", "conv3x3 [8,256,31,31]->256", "forward", "c256_31x31_3x3", "fwd"),
    ("conv 3×3 [8,256,31,31]→256 forward+backward", "kernels", "conv3x3 [8,256,31,31]->256", "forward+backward", "c256_31x31_3x3", "fwd+bwd"),
    ("conv 7×7/2 [1,3,255,255]→64 forward", "kernels", "conv7x7/2 [1,3,255,255]->64", "forward", "stem_255_7x7s2", "fwd"),
    ("conv 7×7/2 [1,3,255,255]→64 forward+backward", "kernels", "conv7x7/2 [1,3,255,255]->64", "forward+backward", "stem_255_7x7s2", "fwd+bwd"),
    ("conv 1×1 [8,256,15,15]→256 forward", "kernels", "conv1x1 [8,256,15,15]->256", "forward", "c256_15x15_1x1", "fwd"),
    ("conv 1×1 [8,256,15,15]→256 forward+backward", "kernels", "conv1x1 [8,256,15,15]->256", "forward+backward", "c256_15x15_1x1", "fwd+bwd"),
    ("dw-xcorr [8,256,31,31]⋆[8,256,7,7] forward", "kernels", "dw-xcorr [8,256,31,31]*[8,256,7,7]", "forward", "dw_xcorr_31x7", "fwd"),
    ("dw-xcorr [8,256,31,31]⋆[8,256,7,7] forward+backward", "kernels", "dw-xcorr [8,256,31,31]*[8,256,7,7]", "forward+backward", "dw_xcorr_31x7", "fwd+bwd"),
    ("small: naive train step b16", "train", "naive", "", "train_naive_b16", "fwd+bwd"),
    ("small: cycle step b8 (Ulast: the real cycle; peer: its proxy)", "train", "cycle", "", "train_cycle_b8", "fwd+bwd"),
    ("small: tracking b1 (Ulast: whole frame; peer: search branch)", "track", "ulast-small", "", "track_search_b1", "fwd"),
};

double? Ulast(int round, string file, string ucase, string umode)
{
    var path = Path.Combine(dir, $"ulast-{file}-{round}.json");
    if (!File.Exists(path)) return null;
    using var doc = JsonDocument.Parse(File.ReadAllText(path));
    var list = doc.RootElement.TryGetProperty("results", out var r) ? r : doc.RootElement.GetProperty("rows");
    foreach (var e in list.EnumerateArray())
    {
        if (file == "kernels" && e.GetProperty("case").GetString() == ucase && e.GetProperty("mode").GetString() == umode)
            return e.GetProperty("median_ms").GetDouble();
        if (file == "train" && e.GetProperty("step").GetString() == ucase) return e.GetProperty("total_ms").GetDouble();
        if (file == "track" && e.TryGetProperty("ms_per_frame", out var ms) && e.GetProperty("tracker").GetString() == ucase) return ms.GetDouble();
    }
    return null;
}

double? Peer(int round, string name, string mode)
{
    foreach (var group in new[] { "conv", "xcorr", "small" })
    {
        var path = Path.Combine(dir, $"peer-{group}-{round}.csv");
        if (!File.Exists(path)) continue;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split(',');   // group,name,mode,"shape",... — the shape is quoted and holds commas: read from the ends
            if (f.Length > 8 && f[1] == name && f[2] == mode) return double.Parse(f[^7], inv);
        }
    }
    return null;
}

string Ms(double? v) => v is null ? "–" : v.Value.ToString(v.Value >= 100 ? "F0" : "F2", inv);
Console.WriteLine("| case | " + string.Join(" | ", Enumerable.Range(1, rounds).Select(r => $"Ulast / libtorch, round {r}")) + " | ratio per round | median ratio |");
Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---|", rounds)) + "---|---|");
foreach (var c in cases)
{
    var cells = new List<string>();
    var ratios = new List<double>();
    for (int r = 1; r <= rounds; r++)
    {
        var u = Ulast(r, c.file, c.ucase, c.umode);
        var p = Peer(r, c.pname, c.pmode);
        cells.Add($"{Ms(u)} / {Ms(p)} ms");
        if (u is > 0 && p is > 0) ratios.Add(p.Value / u.Value);
    }
    ratios.Sort();
    string median = ratios.Count == 0 ? "–" : (ratios.Count % 2 == 1 ? ratios[ratios.Count / 2] : (ratios[ratios.Count / 2 - 1] + ratios[ratios.Count / 2]) / 2).ToString("F2", inv) + "×";
    Console.WriteLine($"| {c.label} | {string.Join(" | ", cells)} | {string.Join(" / ", ratios.Select(x => x.ToString("F2", inv) + "×"))} | **{median}** |");
}
