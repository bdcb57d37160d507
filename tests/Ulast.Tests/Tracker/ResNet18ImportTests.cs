using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using OpenCvSharp;
using Ulast.Cli.Commands;
using Tensor = Ulast.Autograd.Tensor;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;

namespace Ulast.Tests.Tracker;

/// <summary>
/// The ImageNet ResNet-18 as imported runs like the ONNX file itself: ONNX Runtime and our network (classifier
/// geometry) on the same real frame agree at every stage, and folding the preprocessing into conv1's BatchNorm changes
/// nothing in the Siamese geometry.
/// </summary>
public class ResNet18ImportTests
{
    private static string OnnxPath => ImageNetWeights.ResNet18Onnx();

    /// <summary>A real frame resized to size×size, BGR 0–255, as [1,3,size,size] floats.</summary>
    private static float[] Frame(int size, float[]? minus = null)
    {
        var path = Path.Combine(SequenceTests.Annotated, "David", "img", "0300.jpg");
        Skip.IfNot(File.Exists(path), $"shared data not found at {path}");
        using var img = Cv2.ImRead(path);
        using var small = img.Resize(new Size(size, size), 0, 0, InterpolationFlags.Area);
        var data = new float[3 * size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                var v = small.At<Vec3b>(y, x);
                for (int c = 0; c < 3; c++) data[(c * size + y) * size + x] = v[c] - (minus?[c] ?? 0f);
            }
        return data;
    }

    /// <summary>The graph's stage outputs: conv1's ReLU, the max-pool, and the ReLU after each layer's last Add.</summary>
    private static string[] StageOutputs(OnnxModel m)
    {
        var stages = new List<string> { m.Nodes.First(n => n.OpType == "Relu").Outputs[0], m.Nodes.First(n => n.OpType == "MaxPool").Outputs[0] };
        var adds = m.Nodes.Where(n => n.OpType == "Add").ToList();
        for (int layer = 0; layer < 3; layer++)
        {
            var add = adds[2 * layer + 1].Outputs[0];
            stages.Add(m.Nodes.First(n => n.OpType == "Relu" && n.Inputs[0] == add).Outputs[0]);
        }
        return stages.ToArray();
    }

    /// <summary>The model's bytes with the named values added as graph outputs (a second graph field merges into the first).</summary>
    private static byte[] WithOutputs(byte[] model, IEnumerable<string> names)
    {
        static void Varint(List<byte> b, ulong v) { while (v >= 0x80) { b.Add((byte)(v | 0x80)); v >>= 7; } b.Add((byte)v); }
        static byte[] Message(int field, byte[] body) { var b = new List<byte>(); Varint(b, (ulong)(field << 3 | 2)); Varint(b, (ulong)body.Length); b.AddRange(body); return b.ToArray(); }
        var graph = new List<byte>();
        foreach (var name in names)
        {
            var tensorType = Message(1, new byte[] { 0x08, 0x01 });   // TypeProto.tensor_type { elem_type: FLOAT }
            graph.AddRange(Message(12, Message(1, System.Text.Encoding.UTF8.GetBytes(name)).Concat(Message(2, tensorType)).ToArray()));
        }
        return model.Concat(Message(7, graph.ToArray())).ToArray();
    }

    private static double RelativeError(float[] actual, float[] expected)
    {
        double num = 0, den = 0;
        for (int i = 0; i < expected.Length; i++) { num += Math.Pow(actual[i] - expected[i], 2); den += (double)expected[i] * expected[i]; }
        return Math.Sqrt(num / den);
    }

    [SkippableFact]
    public void EveryStageMatchesOnnxRuntimeOnARealFrame()
    {
        var onnx = OnnxModel.Read(OnnxPath);
        var mean = OnnxResNet18.MeanColour(OnnxModel.Read(OnnxResNet18.PreprocessPath(OnnxPath)), "preprocess");
        Assert.InRange(mean[0], 90, 130);   // BGR: blue's ImageNet mean is about 104
        var input = Frame(224, mean);
        var stages = StageOutputs(onnx);

        using var options = new SessionOptions { IntraOpNumThreads = 2, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(WithOutputs(File.ReadAllBytes(OnnxPath), stages), options);
        var feed = new[] { NamedOnnxValue.CreateFromTensor(onnx.Inputs[0], new DenseTensor(input, new[] { 1, 3, 224, 224 })) };
        using var results = session.Run(feed, stages);
        var expected = stages.Select(s => results.First(r => r.Name == s).AsTensor<float>()).ToArray();

        using var dev = TestDevice.Cpu();
        using var net = new ResNet18(dev, 64, new[] { 3 }, new Random(1), siamese: false);
        OnnxResNet18.Load(net, onnx, OnnxPath);
        net.Eval();
        using var scope = new TensorScope();
        using var _ = GradMode.NoGrad();
        var ours = net.ForwardStages(Tensor.FromArray(dev, input, 1, 3, 224, 224));
        Assert.Equal(5, ours.Length);
        for (int s = 0; s < 5; s++)
        {
            var e = expected[s];
            Assert.Equal(e.Dimensions.ToArray(), ours[s].Shape);
            var err = RelativeError(ours[s].ToArray(), e.ToArray());
            Assert.True(err <= 1e-4, $"stage {s} ({stages[s]}, {ours[s].ShapeString}): relative error {err:E2}");
            Assert.True(e.ToArray().Max() > 0.1f, $"stage {s} is all but zero: the comparison would prove nothing");
        }
    }

    [SkippableFact]
    public void FoldedPreprocessingEqualsSubtractingTheMeanInTheSiameseGeometry()
    {
        var onnx = OnnxModel.Read(OnnxPath);
        var mean = OnnxResNet18.MeanColour(OnnxModel.Read(OnnxResNet18.PreprocessPath(OnnxPath)), "preprocess");
        using var dev = TestDevice.Cpu();
        using var folded = new ResNet18(dev, 64, new[] { 2 }, new Random(1));
        using var plain = new ResNet18(dev, 64, new[] { 2 }, new Random(1));
        OnnxResNet18.Load(folded, onnx, OnnxPath);
        OnnxResNet18.Load(plain, onnx, OnnxPath);
        OnnxResNet18.FoldMean(folded, mean);
        folded.Eval();
        plain.Eval();
        using var scope = new TensorScope();
        using var _ = GradMode.NoGrad();
        var a = folded.ForwardLevels(Tensor.FromArray(dev, Frame(127), 1, 3, 127, 127))[0];
        var b = plain.ForwardLevels(Tensor.FromArray(dev, Frame(127, mean), 1, 3, 127, 127))[0];
        Assert.Equal(new[] { 1, 128, 15, 15 }, a.Shape);
        Assert.True(RelativeError(a.ToArray(), b.ToArray()) <= 1e-5);
    }

    [SkippableFact]
    public void TheImportedSiameseModelSavesAndTracksWithoutThePackage()
    {
        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "resnet18" });
        OnnxResNet18.Import(model, OnnxPath);
        var dir = Directory.CreateTempSubdirectory("ulast-r18-");
        try
        {
            var file = Path.Combine(dir.FullName, "r18.safetensors");
            Checkpoint.SaveModel(file, model);
            using var loaded = Checkpoint.LoadModel(file, dev);
            var w = loaded.ResNet18Backbone!.Conv1.Conv.Weight.ToArray();
            Assert.Equal(model.ResNet18Backbone!.Conv1.Conv.Weight.ToArray(), w);
            Assert.Equal(model.ResNet18Backbone.Conv1.Bn.RunningMean.ToArray(), loaded.ResNet18Backbone.Conv1.Bn.RunningMean.ToArray());
            Assert.True(new FileInfo(file).Length < 20 << 20);
        }
        finally { dir.Delete(true); }
    }

    /// <summary>
    /// The Siamese geometry itself (unpadded conv1 and stride-2 convolutions, the cropped shortcut, layer3 dilated) on a
    /// 255-pixel search crop: our backbone with the mean folded in against ONNX Runtime running the same rewritten graph.
    /// </summary>
    [SkippableTheory]
    [InlineData(2)]
    [InlineData(3)]
    public void TheSiameseGeometryMatchesOnnxRuntimeOnASearchCrop(int lastLayer)
    {
        var onnx = OnnxModel.Read(OnnxPath);
        var mean = OnnxResNet18.MeanColour(OnnxModel.Read(OnnxResNet18.PreprocessPath(OnnxPath)), "preprocess");
        var graph = OnnxFixture.SiameseResNet18(onnx, lastLayer, 255);
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        using var session = new InferenceSession(OnnxFixture.Serialize(graph), options);
        var feed = new[] { NamedOnnxValue.CreateFromTensor(onnx.Inputs[0], new DenseTensor(Frame(255, mean), new[] { 1, 3, 255, 255 })) };
        using var results = session.Run(feed);
        var expected = results.First().AsTensor<float>();

        using var dev = TestDevice.Cpu();
        using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "resnet18", Layers = new[] { lastLayer } });
        OnnxResNet18.Import(model, OnnxPath);
        model.Eval();
        using var scope = new TensorScope();
        using var _ = GradMode.NoGrad();
        var ours = model.ResNet18Backbone!.ForwardLevels(Tensor.FromArray(dev, Frame(255), 1, 3, 255, 255))[0];
        Assert.Equal(new[] { 1, 64 << (lastLayer - 1), 31, 31 }, ours.Shape);
        Assert.Equal(expected.Dimensions.ToArray(), ours.Shape);
        var err = RelativeError(ours.ToArray(), expected.ToArray());
        Assert.True(err <= 1e-4, $"layer{lastLayer}: relative error {err:E2}");
    }
}
