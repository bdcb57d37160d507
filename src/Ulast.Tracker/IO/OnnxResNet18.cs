using Ulast.Tracker.Model;

namespace Ulast.Tracker.IO;

/// <summary>
/// Imports ImageNet ResNet-18 weights from the ONNX file of NuGet's Microsoft.ML.DnnImageFeaturizer.ResNet18 (a CNTK
/// export: Conv → BatchNormalization pairs, names ParameterNN/ConstantNN) into <see cref="ResNet18"/>. The graph's
/// convolutions are matched to ours by order and kind — the 7×7 first, then the 3×3s block by block, the 1×1
/// shortcuts in their own order — and every shape and attribute is checked. The package's preprocessing (BGR pixels
/// 0–255 minus a mean image) is folded into conv1's BatchNorm: our crops are BGR 0–255 already, and conv1 of the
/// Siamese geometry is unpadded, so subtracting the mean image's per-channel average before it equals adding
/// Σ W·mean to the running mean after it.
/// </summary>
public static class OnnxResNet18
{
    /// <summary>The package's file beside ResNet18.onnx that holds the mean image.</summary>
    public static string PreprocessPath(string resnetPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(resnetPath)))!, "ResNetPrepOnnx", "ResNetPreprocess.onnx");

    /// <summary>Reads both files and loads the weights into the model's resnet18 backbone, the preprocessing folded in.</summary>
    public static void Import(SiameseRpn model, string resnetPath)
    {
        var backbone = model.ResNet18Backbone ?? throw new ArgumentException("ImageNet ResNet-18 weights need the resnet18 backbone.");
        if (model.Config.Width != 64) throw new ArgumentException($"ImageNet ResNet-18 has width 64, the model has {model.Config.Width}.");
        var prep = PreprocessPath(resnetPath);
        Load(backbone, OnnxModel.Read(resnetPath), resnetPath);
        FoldMean(backbone, MeanColour(OnnxModel.Read(prep), prep));
    }

    /// <summary>Per-channel average of the preprocessing's mean image, in its (BGR) channel order.</summary>
    public static float[] MeanColour(OnnxModel prep, string source)
    {
        var sub = prep.Nodes.FirstOrDefault(n => n.OpType == "Sub") ?? throw new BadDataException($"'{source}': no Sub node (the mean subtraction).");
        if (sub.Inputs.Length != 2 || !prep.Initializers.TryGetValue(sub.Inputs[1], out var mean) || mean.Data is null)
            throw new BadDataException($"'{source}': the Sub node's second input is not a float initializer.");
        if (mean.Dims.Length != 4 || mean.Dims[0] != 1 || mean.Dims[1] != 3 || mean.Dims[2] * mean.Dims[3] == 0)
            throw new BadDataException($"'{source}': the mean image has shape [{string.Join(",", mean.Dims)}], expected [1,3,H,W].");
        int plane = (int)(mean.Dims[2] * mean.Dims[3]);
        var r = new float[3];
        for (int c = 0; c < 3; c++)
        {
            double s = 0;
            for (int i = 0; i < plane; i++) s += mean.Data[c * plane + i];
            r[c] = (float)(s / plane);
            if (!float.IsFinite(r[c]) || r[c] is < -1000 or > 1000) throw new BadDataException($"'{source}': the mean image's channel {c} averages {r[c]}.");
        }
        return r;
    }

    /// <summary>
    /// Loads conv and BatchNorm tensors into <paramref name="backbone"/> (as far as it reaches) from the graph; the
    /// input stays the graph's: BGR 0–255 minus the mean (see <see cref="FoldMean"/>).
    /// </summary>
    public static void Load(ResNet18 backbone, OnnxModel onnx, string source)
    {
        var convs = onnx.Nodes.Where(n => n.OpType == "Conv").ToList();
        var byInput = onnx.Nodes.Where(n => n.OpType == "BatchNormalization" && n.Inputs.Length > 0)
            .GroupBy(n => n.Inputs[0]).ToDictionary(g => g.Key, g => g.First());
        int KernelOf(OnnxNode n) => n.Inputs.Length > 1 && onnx.Initializers.TryGetValue(n.Inputs[1], out var w) && w.Dims.Length == 4 ? (int)w.Dims[3] : -1;
        var first = convs.Where(n => KernelOf(n) == 7).ToList();
        var main = new Queue<OnnxNode>(convs.Where(n => KernelOf(n) == 3));
        var shortcuts = new Queue<OnnxNode>(convs.Where(n => KernelOf(n) == 1));
        if (first.Count != 1) throw new BadDataException($"'{source}': expected one 7×7 convolution (ResNet's conv1), found {first.Count}.");
        LoadPair(backbone.Conv1, first[0], onnx, byInput, source, "conv1");
        foreach (var (name, block) in backbone.Blocks)
        {
            if (main.Count < 2) throw new BadDataException($"'{source}': the graph has too few 3×3 convolutions for {name}.");
            LoadPair(block.Conv1, main.Dequeue(), onnx, byInput, source, name + ".conv1");
            LoadPair(block.Conv2, main.Dequeue(), onnx, byInput, source, name + ".conv2");
            if (block.Downsample is not null)
            {
                if (shortcuts.Count == 0) throw new BadDataException($"'{source}': the graph has too few 1×1 shortcut convolutions for {name}.");
                LoadPair(block.Downsample, shortcuts.Dequeue(), onnx, byInput, source, name + ".downsample");
            }
        }
    }

    /// <summary>Subtracting <paramref name="mean"/> (per input channel) before conv1 = adding Σ W·mean to BN1's running mean.</summary>
    public static void FoldMean(ResNet18 backbone, float[] mean)
    {
        var w = backbone.Conv1.Conv.Weight.ToArray();
        var rm = backbone.Conv1.Bn.RunningMean.ToArray();
        int cout = rm.Length, per = w.Length / cout, k = per / mean.Length;
        for (int o = 0; o < cout; o++)
        {
            double s = 0;
            for (int c = 0; c < mean.Length; c++)
                for (int i = 0; i < k; i++) s += (double)w[o * per + c * k + i] * mean[c];
            rm[o] = (float)(rm[o] + s);
        }
        backbone.Conv1.Bn.RunningMean.CopyFrom(rm);
    }

    private static void LoadPair(ConvBn target, OnnxNode conv, OnnxModel onnx, Dictionary<string, OnnxNode> bnByInput, string source, string what)
    {
        var c = target.Conv;
        var weight = Float(onnx, conv.Inputs[1], source, what);
        if (!weight.Shape.SequenceEqual(c.Weight.Shape))
            throw new BadDataException($"'{source}': {what}'s weight '{weight.Name}' has shape [{string.Join(",", weight.Dims)}], the backbone expects {c.Weight.ShapeString}.");
        if (conv.Inputs.Length > 2 && conv.Inputs[2].Length > 0) throw new BadDataException($"'{source}': {what} has a bias; ResNet's convolutions have none.");
        var strides = conv.Ints("strides", 1, 1);
        if (conv.Int("group", 1) != 1 || conv.Ints("dilations", 1, 1).Any(d => d != 1) || strides.Length != 2 || strides[0] != strides[1])
            throw new BadDataException($"'{source}': {what} ('{conv.Name}') has groups, dilations or strides this import does not expect.");
        if (conv.Outputs.Length == 0 || !bnByInput.TryGetValue(conv.Outputs[0], out var bn) || bn.Inputs.Length != 5)
            throw new BadDataException($"'{source}': {what} ('{conv.Name}') is not followed by a BatchNormalization.");
        float eps = bn.Float("epsilon", 1e-5f);
        if (Math.Abs(eps - target.Bn.Eps) > 1e-9f) throw new BadDataException($"'{source}': {what}'s BatchNormalization has epsilon {eps}, the backbone {target.Bn.Eps}.");
        c.Weight.CopyFrom(weight.Data!);
        var tensors = new[] { target.Bn.Weight, target.Bn.Bias, target.Bn.RunningMean, target.Bn.RunningVar };
        for (int i = 0; i < 4; i++)
        {
            var t = Float(onnx, bn.Inputs[i + 1], source, what);
            if (t.Data!.Length != tensors[i].Size) throw new BadDataException($"'{source}': {what}'s BatchNormalization input '{t.Name}' holds {t.Data.Length} values, expected {tensors[i].Size}.");
            if (i == 3 && t.Data.Any(v => !(v >= 0))) throw new BadDataException($"'{source}': {what}'s running variance '{t.Name}' has a negative or NaN value.");
            tensors[i].CopyFrom(t.Data);
        }
    }

    private static OnnxTensor Float(OnnxModel onnx, string name, string source, string what)
    {
        if (!onnx.Initializers.TryGetValue(name, out var t)) throw new BadDataException($"'{source}': {what} reads '{name}', which is not an initializer.");
        if (t.Data is null) throw new BadDataException($"'{source}': {what}'s tensor '{name}' is not float32 (type {t.DataType}).");
        if (t.Data.Any(v => !float.IsFinite(v))) throw new BadDataException($"'{source}': {what}'s tensor '{name}' holds a non-finite value.");
        return t;
    }
}
