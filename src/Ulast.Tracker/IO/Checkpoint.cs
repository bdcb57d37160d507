using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ulast.Autograd.Modules;
using Ulast.Tracker.Model;

namespace Ulast.Tracker.IO;

/// <summary>
/// Checkpoints in the safetensors layout, so other tools can read them: an 8-byte little-endian header
/// length, a JSON header {name: {dtype: "F32", shape, data_offsets}, "__metadata__": {...}}, then raw
/// little-endian float32 data. The model config is stored as JSON in __metadata__.config. Written to a
/// temporary file and renamed, so a crash never leaves half a checkpoint behind.
/// </summary>
public static class Checkpoint
{
    public const string ConfigKey = "config";

    public sealed record Contents(Dictionary<string, (int[] Shape, float[] Data)> Tensors, Dictionary<string, string> Metadata);

    public static void Save(string path, IEnumerable<(string Name, Tensor Tensor)> state, IReadOnlyDictionary<string, string> metadata)
    {
        var tensors = state.Select(s => (s.Name, s.Tensor.Shape, Data: s.Tensor.ToArray())).ToList();
        var header = new JsonObject();
        var meta = new JsonObject();
        foreach (var (k, v) in metadata) meta[k] = v;
        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var (name, shape, data) in tensors)
        {
            if (header.ContainsKey(name)) throw new ArgumentException($"Duplicate tensor name '{name}'.");
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + data.Length * 4L),
            };
            offset += data.Length * 4L;
        }
        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int pad = (8 - headerBytes.Length % 8) % 8;
        AtomicFile.Replace(path, tmp =>
        {
            using var f = new FileStream(tmp, FileMode.Create, FileAccess.Write);
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)(headerBytes.Length + pad));
            f.Write(len);
            f.Write(headerBytes);
            for (int i = 0; i < pad; i++) f.WriteByte((byte)' ');
            foreach (var (_, _, data) in tensors)
            {
                var bytes = new byte[data.Length * 4];
                for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
                f.Write(bytes);
            }
            f.Flush(true);
        });
    }

    public static Contents Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new BadDataException($"'{path}' is truncated: {bytes.Length} bytes, no safetensors header.");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8)) throw new BadDataException($"'{path}' is truncated or not a safetensors file: header of {n} bytes in a {bytes.Length}-byte file.");
        try { return Parse(bytes, (int)n, path); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or OverflowException or KeyNotFoundException)
        {
            // Whatever the explicit checks below miss (a duplicate key, a value of an unexpected JSON kind) is still a corrupt header.
            throw new BadDataException($"'{path}' has a corrupt header: {e.Message}", e);
        }
    }

    private static Contents Parse(byte[] bytes, int n, string path)
    {
        BadDataException Bad(string what) => new($"'{path}' has a corrupt header: {what}.");
        var root = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, n));
        if (root is not JsonObject header) throw Bad($"it is {Kind(root)}, not a JSON object");
        long dataStart = 8 + (long)n, dataBytes = bytes.Length - dataStart;
        var tensors = new Dictionary<string, (int[], float[])>();
        var metadata = new Dictionary<string, string>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta) throw Bad($"__metadata__ is {Kind(node)}, not an object");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue jv && jv.TryGetValue<string>(out var text) ? text : throw Bad($"metadata '{BadDataException.Quote(k)}' is {Kind(v)}, not a string");
                continue;
            }
            string t = BadDataException.Quote(name, 60);
            if (node is not JsonObject o) throw Bad($"tensor '{t}' is {Kind(node)}, not an object");
            if (o["dtype"] is not JsonValue dv || !dv.TryGetValue<string>(out var dtype)) throw Bad($"tensor '{t}' has no dtype string");
            if (dtype != "F32") throw new BadDataException($"'{path}': tensor '{t}' is {BadDataException.Quote(dtype)}; only F32 is supported.");
            if (o["shape"] is not JsonArray shapeNode) throw Bad($"tensor '{t}' has no shape array");
            var shape = new int[shapeNode.Count];
            long count = 1;
            for (int i = 0; i < shape.Length; i++)
            {
                if (shapeNode[i] is not JsonValue d || !d.TryGetValue<int>(out shape[i]) || shape[i] < 0) throw Bad($"tensor '{t}' has a shape that is not a list of sizes ≥ 0");
                count *= shape[i];
                if (count * 4 > dataBytes) throw new BadDataException($"'{path}' is truncated or corrupt: tensor '{t}' of shape [{string.Join(",", shape.Take(i + 1))}…] needs more than the file's {dataBytes} data bytes.");
            }
            if (o["data_offsets"] is not JsonArray offNode || offNode.Count != 2
                || offNode[0] is not JsonValue o0 || !o0.TryGetValue<long>(out long begin) || offNode[1] is not JsonValue o1 || !o1.TryGetValue<long>(out long end)
                || begin < 0 || end < begin)
                throw Bad($"tensor '{t}' has no data_offsets [begin, end] with 0 ≤ begin ≤ end");
            if (end - begin != count * 4) throw new BadDataException($"'{path}': tensor '{t}' has {end - begin} bytes for shape [{string.Join(",", shape)}].");
            if (end > dataBytes) throw new BadDataException($"'{path}' is truncated: tensor '{t}' ends at byte {dataStart + end} of {bytes.Length}.");
            var data = new float[count];
            for (long i = 0; i < count; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(dataStart + begin + i * 4)));
            tensors[name] = (shape, data);
        }
        return new Contents(tensors, metadata);
    }

    private static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => $"the {v.GetValueKind().ToString().ToLowerInvariant()} {BadDataException.Quote(v.ToJsonString())}",
        _ => "unexpected",
    };

    /// <summary>Copies tensors into a module's state by name. Strict: every state tensor must be present, with its shape, and nothing extra.</summary>
    public static void LoadInto(Module module, Contents contents, string source, bool strict = true, Func<string, string?>? rename = null)
    {
        var state = module.State().ToDictionary(s => s.Name, s => s.Tensor);
        var used = new HashSet<string>();
        foreach (var (fileName, (shape, data)) in contents.Tensors)
        {
            var name = rename is null ? fileName : rename(fileName);
            if (name is null) continue;
            if (!state.TryGetValue(name, out var t))
            {
                if (strict) throw new BadDataException($"'{source}': unexpected tensor '{fileName}' (the model has no '{name}').");
                continue;
            }
            if (!shape.SequenceEqual(t.Shape)) throw new BadDataException($"'{source}': tensor '{fileName}' has shape [{string.Join(",", shape)}], the model expects {t.ShapeString}.");
            CheckValues(data, shape, fileName, source);
            t.CopyFrom(data);
            used.Add(name);
        }
        var missing = state.Keys.Where(k => !used.Contains(k)).ToList();
        if (strict && missing.Count > 0) throw new BadDataException($"'{source}': missing tensor(s) {string.Join(", ", missing.Take(5))}{(missing.Count > 5 ? $" and {missing.Count - 5} more" : "")}.");
    }

    /// <summary>Largest magnitude a model tensor may hold. A trained network's largest values are BatchNorm's running
    /// variances of 0–255 pixels (7.2e4 in the shipped resnet18 model); anything near 1e7 overflows float32 a few layers on.</summary>
    public const float MaxWeight = 1e7f;

    /// <summary>
    /// Refuses values no trained network holds — non-finite, beyond <see cref="MaxWeight"/>, or a weight tensor
    /// (rank ≥ 2) that is all zero, which turns the network's output constant — and flushes subnormal values to
    /// zero (they change nothing but can slow a CPU a hundredfold).
    /// </summary>
    private static void CheckValues(float[] data, int[] shape, string name, string source)
    {
        for (int i = 0; i < data.Length; i++)
        {
            float v = data[i];
            if (!float.IsFinite(v)) throw new BadDataException($"'{source}': tensor '{name}' holds a non-finite value ({v} at element {i}); the checkpoint is corrupt.");
            if (MathF.Abs(v) > MaxWeight) throw new BadDataException($"'{source}': tensor '{name}' holds {v.ToString("0.###e0", System.Globalization.CultureInfo.InvariantCulture)} at element {i}, beyond ±{MaxWeight:0e0} that a trained network holds; the checkpoint is corrupt.");
            if (float.IsSubnormal(v)) data[i] = 0f;
        }
        if (shape.Length >= 2 && name.EndsWith(".weight", StringComparison.Ordinal) && data.Length > 0 && Array.TrueForAll(data, v => v == 0f))
            throw new BadDataException($"'{source}': weight tensor '{name}' is all zero (or subnormal), so the network's output would not depend on its input; the checkpoint is corrupt or was never initialised.");
    }

    public static void SaveModel(string path, SiameseRpn model, IReadOnlyDictionary<string, string>? extra = null)
    {
        var meta = new Dictionary<string, string> { [ConfigKey] = model.Config.ToJson(), ["format"] = "ulast" };
        if (extra is not null) foreach (var (k, v) in extra) meta[k] = v;
        Save(path, model.State(), meta);
    }

    /// <summary>Builds the model its checkpoint describes and loads it; when <paramref name="expected"/> is given, the configs must match.</summary>
    public static SiameseRpn LoadModel(string path, Device device, ModelConfig? expected = null)
    {
        var c = Read(path);
        if (!c.Metadata.TryGetValue(ConfigKey, out var json)) throw new BadDataException($"'{path}' holds no model config (__metadata__.config).");
        var config = ModelConfig.FromJson(json, path);
        if (expected is not null && !expected.SameAs(config))
            throw new BadDataException($"'{path}' was saved for config {json}, not {expected.ToJson()}.");
        var model = new SiameseRpn(device, config);
        // Training checkpoints also hold the optimiser's state ("optim.*"): the model ignores it.
        try
        {
            LoadInto(model, c, path, rename: n => n.StartsWith("optim.", StringComparison.Ordinal) ? null : n);
            CheckGeometry(model, path);
        }
        catch { model.Dispose(); throw; }
        return model;
    }

    /// <summary>Every backbone here has output stride 8 (255 → 31 cells, 127 → 15).</summary>
    public const int NetworkStride = 8;

    /// <summary>
    /// The config's anchor geometry against what the network computes: the anchors' stride and centre and the
    /// score map's size. Tensor shapes cannot show these; a checkpoint whose config was edited (score size 17 for a
    /// network that gives 25, stride 16) would otherwise fail deep inside ("Shapes … do not broadcast") or, worse,
    /// track with every box misplaced. One forward pass on blank crops settles the score size.
    /// </summary>
    public static void CheckGeometry(SiameseRpn model, string source)
    {
        var cfg = model.Config;
        var a = cfg.Anchors;
        if (a.Stride != NetworkStride)
            throw new BadDataException($"'{source}': its config says anchor stride {a.Stride}, but the {cfg.Backbone} network's output stride is {NetworkStride}; the config does not match the weights.");
        if (a.Centre != cfg.SearchSize / 2)
            throw new BadDataException($"'{source}': its config puts the anchors' centre at {a.Centre}, not at the {cfg.SearchSize}-pixel search crop's middle {cfg.SearchSize / 2}; the config does not match the weights.");
        bool training = model.Training;
        model.Train(false);
        try
        {
            using var scope = new TensorScope();
            using var ng = GradMode.NoGrad();
            var z = Tensor.Zeros(model.Device, 1, 3, cfg.TemplateSize, cfg.TemplateSize);
            var x = Tensor.Zeros(model.Device, 1, 3, cfg.SearchSize, cfg.SearchSize);
            var (cls, loc) = model.Forward(z, x);
            int n = cls.Shape[^1];
            if (n != a.ScoreSize || cls.Shape[1] != a.PerCell || loc.Shape[1] != 4 * a.PerCell)
                throw new BadDataException($"'{source}': its config says a {a.ScoreSize}×{a.ScoreSize} score map with {a.PerCell} anchors per cell, but the network gives {n}×{n} with {cls.Shape[1]} for {cfg.TemplateSize}/{cfg.SearchSize}-pixel crops; the config does not match the weights.");
        }
        catch (ArgumentException e)
        {
            throw new BadDataException($"'{source}': the network its config describes does not run on {cfg.TemplateSize}/{cfg.SearchSize}-pixel crops ({e.Message}); the config does not match the weights.", e);
        }
        finally { model.Train(training); }
    }

    /// <summary>
    /// Loads torchvision's ImageNet ResNet-50 (a safetensors export of its state_dict) into the
    /// `resnet50` backbone: names map one to one under "backbone." (conv1, bn1, layerN.i.convK, .bnK,
    /// .downsample.0/.1); fc.* and num_batches_tracked are ignored. Every backbone tensor must be present.
    /// </summary>
    public static void ImportTorchvisionResNet50(SiameseRpn model, string path)
    {
        if (model.Config.Backbone != "resnet50") throw new ArgumentException("ImageNet ResNet-50 weights need the resnet50 backbone.");
        var c = Read(path);
        var backbone = model.State().Where(s => s.Name.StartsWith("backbone.", StringComparison.Ordinal)).Select(s => s.Name).ToHashSet();
        var present = new HashSet<string>();
        var state = model.State().ToDictionary(s => s.Name, s => s.Tensor);
        foreach (var (name, (shape, data)) in c.Tensors)
        {
            if (name.StartsWith("fc.", StringComparison.Ordinal) || name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
            var target = "backbone." + name;
            if (!state.TryGetValue(target, out var t)) throw new BadDataException($"'{path}': '{name}' is not a ResNet-50 tensor of this backbone.");
            if (!shape.SequenceEqual(t.Shape)) throw new BadDataException($"'{path}': '{name}' has shape [{string.Join(",", shape)}], the backbone expects {t.ShapeString}.");
            t.CopyFrom(data);
            present.Add(target);
        }
        var missing = backbone.Where(n => !present.Contains(n)).ToList();
        if (missing.Count > 0) throw new BadDataException($"'{path}': missing ResNet-50 tensor(s) {string.Join(", ", missing.Take(5).Select(m => m["backbone.".Length..]))}.");
    }
}
