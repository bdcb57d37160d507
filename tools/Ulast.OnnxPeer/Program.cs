using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Ulast.Autograd;
using Ulast.Cli.Commands;
using Ulast.Kernels;
using Ulast.Tests.Tracker;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;

// The resnet18 backbone on a 255-pixel search crop (batch 1, as in tracking), Ulast beside ONNX Runtime with 2 threads
// on the same graph (the Siamese geometry, rewritten from NuGet's ResNet18.onnx), in alternating rounds.
// usage: dotnet run -c Release --project tools/Ulast.OnnxPeer -- [ROUNDS] [REPEATS] [JSON]
int rounds = args.Length > 0 ? int.Parse(args[0]) : 5, repeats = args.Length > 1 ? int.Parse(args[1]) : 20;
string? json = args.Length > 2 ? args[2] : null;
var path = ImageNetWeights.ResNet18Onnx();
var onnx = OnnxModel.Read(path);
var rng = new Random(1);
var input = Enumerable.Range(0, 3 * 255 * 255).Select(_ => (float)rng.Next(256)).ToArray();
var mean = OnnxResNet18.MeanColour(OnnxModel.Read(OnnxResNet18.PreprocessPath(path)), "preprocess");
var centred = input.Select((v, i) => v - mean[i / (255 * 255)]).ToArray();

using var dev = Device.Create(DeviceKind.Cpu);
var rows = new List<object>();
Console.WriteLine($"resnet18 backbone, one 255×255 crop; {rounds} alternating rounds of {repeats} runs, medians; ONNX Runtime {OrtEnv.Instance().GetVersionString()}, 2 threads");
Console.WriteLine($"{"layers",-8} {"round",6} {"Ulast ms",10} {"ORT ms",10} {"ORT/Ulast",10}");
foreach (var layer in new[] { 2, 3 })
{
    using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "resnet18", Layers = new[] { layer } });
    OnnxResNet18.Import(model, path);
    model.Eval();
    using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
    using var session = new InferenceSession(OnnxFixture.Serialize(OnnxFixture.SiameseResNet18(onnx, layer, 255)), options);
    var feed = new[] { NamedOnnxValue.CreateFromTensor(onnx.Inputs[0], new DenseTensor(centred, new[] { 1, 3, 255, 255 })) };

    double Ours()
    {
        using var scope = new TensorScope();
        using var _ = GradMode.NoGrad();
        var sw = Stopwatch.StartNew();
        var y = model.ResNet18Backbone!.ForwardLevels(Tensor.FromArray(dev, input, 1, 3, 255, 255))[0];
        y.ToArray();
        return sw.Elapsed.TotalMilliseconds;
    }
    double Peer()
    {
        var sw = Stopwatch.StartNew();
        using var r = session.Run(feed);
        r.First().AsTensor<float>();
        return sw.Elapsed.TotalMilliseconds;
    }
    static double Median(IEnumerable<double> v) { var s = v.OrderBy(x => x).ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
    for (int w = 0; w < 3; w++) { Ours(); Peer(); }
    var ratios = new List<double>();
    for (int r = 0; r < rounds; r++)
    {
        double u = Median(Enumerable.Range(0, repeats).Select(_ => Ours()));
        double p = Median(Enumerable.Range(0, repeats).Select(_ => Peer()));
        ratios.Add(p / u);
        Console.WriteLine($"layer{layer,-3} {r + 1,6} {u,10:F2} {p,10:F2} {p / u,9:F2}×");
        rows.Add(new { layers = layer, round = r + 1, ulast_ms = u, onnxruntime_ms = p });
    }
    Console.WriteLine($"layer{layer}: median ORT/Ulast {Median(ratios):F2}× (above 1: Ulast faster)");
}
if (json is not null) File.WriteAllText(json, JsonSerializer.Serialize(new { device = dev.Name, rows }, new JsonSerializerOptions { WriteIndented = true }));
