using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using OpenCvSharp;
using Ulast.Tracker.IO;
using Ulast.Tracker.Model;
using Ulast.Tracker.PseudoLabels;
using Ulast.Tracker.Training;

namespace Ulast.Tests.Tracker;

/// <summary>
/// Deterministic mutations of every file the project reads — checkpoints, ground truth, labels, training
/// configs, images and videos. Each mutation is broken by construction (no mutation merely changes a value
/// that is still valid), so its reader must refuse it with a <see cref="BadDataException"/>.
/// </summary>
public static class FuzzCorpus
{
    public sealed record Case(string Kind, string Name, byte[] Bytes);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Garbage that is no format at all, shared by every kind.</summary>
    private static IEnumerable<(string, byte[])> Garbage(int seed)
    {
        var rng = new Random(seed);
        yield return ("empty", Array.Empty<byte>());
        foreach (int n in new[] { 1, 7, 64, 1000 })
        {
            var b = new byte[n];
            rng.NextBytes(b);
            yield return ($"random {n} bytes", b);
        }
        yield return ("text", Utf8("this is not the file you are looking for\n"));
    }

    private static IEnumerable<(string, byte[])> Truncations(byte[] good, params int[] lengths) =>
        lengths.Where(n => n >= 0 && n < good.Length).Distinct().Select(n => ($"truncated to {n} bytes", good[..n]));

    // ---------------------------------------------------------------- checkpoints

    /// <summary>A tiny model's checkpoint, the base every checkpoint mutation starts from.</summary>
    public static byte[] GoodCheckpoint(Device dev)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ulast-fuzz-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var model = new SiameseRpn(dev, new ModelConfig { Backbone = "small", Channels = 8, Width = 8 });
            Checkpoint.SaveModel(path, model);
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    private static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(file);
        return (JsonNode.Parse(Encoding.UTF8.GetString(file, 8, n))!.AsObject(), file[(8 + n)..]);
    }

    private static byte[] Pack(string headerJson, byte[] data)
    {
        var h = Utf8(headerJson);
        var file = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)h.Length);
        h.CopyTo(file, 8);
        data.CopyTo(file, 8 + h.Length);
        return file;
    }

    public static IEnumerable<Case> Checkpoints(byte[] good)
    {
        var list = new List<(string, byte[])>();
        list.AddRange(Garbage(1));
        var (header, data) = Split(good);
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        list.AddRange(Truncations(good, 1, 7, 8, 9, 16, headerEnd / 2, headerEnd - 1, headerEnd, headerEnd + 1, headerEnd + data.Length / 2, good.Length - 4, good.Length - 1));

        // The 8-byte header length: every bit of the first three bytes, and high bits that make it enormous.
        for (int bit = 0; bit < 24; bit++)
        {
            var b = (byte[])good.Clone();
            b[bit / 8] ^= (byte)(1 << (bit % 8));
            list.Add(($"header length bit {bit} flipped", b));
        }
        foreach (int by in new[] { 4, 7 }) { var b = (byte[])good.Clone(); b[by] ^= 0x80; list.Add(($"header length byte {by} high bit", b)); }

        // Bits of the header's structural characters ({ } [ ] : , ") flipped: the JSON cannot survive.
        var rng = new Random(2);
        var structural = Enumerable.Range(8, headerEnd - 8).Where(i => "{}[]:,\"".Contains((char)good[i])).ToArray();
        for (int k = 0; k < 30; k++)
        {
            int pos = structural[rng.Next(structural.Length)];
            int bit = rng.Next(8);
            var b = (byte[])good.Clone();
            b[pos] ^= (byte)(1 << bit);
            list.Add(($"header byte {pos} ('{(char)good[pos]}') bit {bit} flipped", b));
        }

        // Wrong JSON types and values, at the top, in the metadata and in one tensor's entry.
        foreach (var top in new[] { "null", "[]", "42", "\"text\"", "true", "{}", "{\"__metadata__\":{}}" })
            list.Add(($"header is {top}", Pack(top, data)));
        var names = header.Where(kv => kv.Key != "__metadata__").Select(kv => kv.Key).ToArray();
        string config = header["__metadata__"]!["config"]!.GetValue<string>();
        JsonObject Clone() => JsonNode.Parse(header.ToJsonString())!.AsObject();
        void Meta(string what, JsonNode? value) { var h = Clone(); h["__metadata__"] = value; list.Add(($"__metadata__ {what}", Pack(h.ToJsonString(), data))); }
        Meta("null", null);
        Meta("an array", new JsonArray());
        Meta("a number", 7);
        Meta("config a number", new JsonObject { ["config"] = 42 });
        Meta("config null", new JsonObject { ["config"] = null });
        Meta("config an object", new JsonObject { ["config"] = new JsonObject() });
        Meta("config not JSON", new JsonObject { ["config"] = "{not json" });
        Meta("config 'null'", new JsonObject { ["config"] = "null" });
        Meta("config missing", new JsonObject { ["format"] = "ulast" });
        Meta("config with negative channels", new JsonObject { ["config"] = config.Replace("\"channels\":8", "\"channels\":-3") });
        Meta("config with a million channels", new JsonObject { ["config"] = config.Replace("\"channels\":8", "\"channels\":1000000") });
        Meta("config with another width", new JsonObject { ["config"] = config.Replace("\"width\":8", "\"width\":16") });
        Meta("config with an unknown backbone", new JsonObject { ["config"] = config.Replace("\"small\"", "\"tiny\"") });
        Meta("config with null anchors", new JsonObject { ["config"] = config.Replace("\"anchors\":{", "\"anchors\":null,\"x\":{") });
        Meta("config with zero ratios", new JsonObject { ["config"] = config.Replace("\"ratios\":[", "\"ratios\":[0,") });
        // Configs that parse and validate but disagree with the network the tensors make (its stride, map size, centre).
        Meta("config with score size 17", new JsonObject { ["config"] = config.Replace("\"score_size\":25", "\"score_size\":17") });
        Meta("config with anchor stride 16", new JsonObject { ["config"] = config.Replace("\"stride\":8", "\"stride\":16") });
        Meta("config with centre 100", new JsonObject { ["config"] = config.Replace("\"centre\":127", "\"centre\":100") });
        Meta("config with 5 template cells", new JsonObject { ["config"] = config.Replace("\"template_cells\":7", "\"template_cells\":5") });
        Meta("config with a 287 search crop", new JsonObject { ["config"] = config.Replace("\"search_size\":255", "\"search_size\":287") });

        var entryMutations = new (string, Func<JsonObject, JsonNode?>)[]
        {
            ("entry null", _ => null), ("entry an array", _ => new JsonArray()), ("entry a number", _ => 3), ("entry a string", _ => "F32"),
            ("dtype missing", e => Without(e, "dtype")), ("dtype null", e => With(e, "dtype", null)), ("dtype a number", e => With(e, "dtype", 32)),
            ("dtype F16", e => With(e, "dtype", "F16")), ("dtype binary", e => With(e, "dtype", "\u0001\u00ff")),
            ("shape missing", e => Without(e, "shape")), ("shape null", e => With(e, "shape", null)), ("shape a string", e => With(e, "shape", "8,8")),
            ("shape of strings", e => With(e, "shape", new JsonArray("a", "b"))), ("shape [-1]", e => With(e, "shape", new JsonArray(-1))),
            ("shape [2^31]", e => With(e, "shape", new JsonArray(2147483648L))), ("shape huge product", e => With(e, "shape", new JsonArray(100000, 100000, 100000))),
            ("shape [1.5]", e => With(e, "shape", new JsonArray(1.5))), ("shape [0]", e => With(e, "shape", new JsonArray(0))),
            ("data_offsets missing", e => Without(e, "data_offsets")), ("data_offsets []", e => With(e, "data_offsets", new JsonArray())),
            ("data_offsets one number", e => With(e, "data_offsets", new JsonArray(0))), ("data_offsets negative", e => With(e, "data_offsets", new JsonArray(-8, 0))),
            ("data_offsets reversed", e => With(e, "data_offsets", new JsonArray(64, 0))), ("data_offsets strings", e => With(e, "data_offsets", new JsonArray("0", "4"))),
            ("data_offsets past the end", e => With(e, "data_offsets", new JsonArray(1L << 40, (1L << 40) + 4))),
        };
        foreach (var (what, mutate) in entryMutations)
        {
            var h = Clone();
            string name = names[Math.Abs(what.GetHashCode(StringComparison.Ordinal)) % names.Length];
            h[name] = mutate(h[name]!.AsObject().DeepClone().AsObject());
            list.Add(($"tensor '{name}': {what}", Pack(h.ToJsonString(), data)));
        }
        { var h = Clone(); h.Remove(names[0]); list.Add(($"tensor '{names[0]}' removed", Pack(h.ToJsonString(), data))); }
        { var h = Clone(); h["extra.weight"] = h[names[0]]!.DeepClone(); list.Add(("an extra tensor", Pack(h.ToJsonString(), data))); }
        { string j = header.ToJsonString(); int at = j.IndexOf(',', StringComparison.Ordinal); list.Add(("a duplicate key", Pack(j[..at] + "," + j[1..at] + j[at..], data))); }

        // Non-finite weights: a NaN or an infinity written into the data of a few tensors.
        for (int k = 0; k < 10; k++)
        {
            var b = (byte[])good.Clone();
            int element = rng.Next(data.Length / 4);
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(headerEnd + element * 4), k % 3 == 0 ? float.PositiveInfinity : k % 3 == 1 ? float.NaN : float.NegativeInfinity);
            list.Add(($"non-finite weight at element {element}", b));
        }
        // Weights that are finite but no trained network holds: huge, or a whole weight tensor of zeros (or of subnormals).
        {
            var b = (byte[])good.Clone();
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(headerEnd + rng.Next(data.Length / 4) * 4), 1e30f);
            list.Add(("a weight of 1e30", b));
        }
        foreach (var (fill, what) in new[] { (0f, "zeros"), (1e-40f, "subnormals") })
        {
            string name = names.First(n => n.EndsWith(".conv.weight", StringComparison.Ordinal));
            var offsets = header[name]!["data_offsets"]!.AsArray();
            long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
            var b = (byte[])good.Clone();
            for (long at = begin; at < end; at += 4) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan((int)(headerEnd + at)), fill);
            list.Add(($"weight tensor '{name}' all {what}", b));
        }
        return list.Select(c => new Case("checkpoint", c.Item1, c.Item2));
    }

    private static JsonObject Without(JsonObject e, string key) { e.Remove(key); return e; }
    private static JsonObject With(JsonObject e, string key, JsonNode? value) { e[key] = value; return e; }

    // ---------------------------------------------------------------- ground truth

    public static IEnumerable<Case> GroundTruths()
    {
        var list = new List<(string, byte[])>(Garbage(3));
        string good = string.Join("\n", Enumerable.Range(0, 10).Select(i => $"{10 + i},{20 + i},30,40")) + "\n";
        var rng = new Random(4);
        var bin = new byte[200]; rng.NextBytes(bin); bin[17] = 0;
        list.Add(("binary with a NUL byte", bin));
        var high = Enumerable.Range(0, 200).Select(_ => (byte)rng.Next(0x80, 0x100)).ToArray();
        list.Add(("high bytes, no separators", high));
        foreach (var (what, text) in new[]
        {
            ("whitespace only", " \n\t\n  \n"), ("a letter in x", good.Replace("13,23", "1a,23")), ("a word", good.Replace("15,25,30,40", "box,25,30,40")),
            ("three numbers", good.Replace("12,22,30,40", "12,22,30")), ("five numbers", good.Replace("12,22,30,40", "12,22,30,40,5")),
            ("seven numbers", good.Replace("12,22,30,40", "1,2,3,4,5,6,7")), ("nine numbers", good.Replace("12,22,30,40", "1,2,3,4,5,6,7,8,9")),
            ("every line nan", string.Concat(Enumerable.Repeat("nan,nan,nan,nan\n", 10))), ("every box zero-sized", string.Concat(Enumerable.Repeat("5,5,0,0\n", 10))),
            ("every box negative", string.Concat(Enumerable.Repeat("5,5,-3,-4\n", 10))), ("hex numbers", good.Replace("14,24", "0x10,24")),
            ("a dangling exponent", good.Replace("16,26", "1e,26")), ("double minus", good.Replace("17,27", "--17,27")), ("unicode digits", good.Replace("18,28", "١٨,28")),
            ("JSON instead of lines", "[[10,20,30,40],[11,21,30,40]]"), ("a header line", "x,y,w,h\n" + good),
            ("six numbers", good.Replace("12,22,30,40", "12,22,30,40,1,2")),
            ("decimal commas with spaces", string.Concat(Enumerable.Range(0, 10).Select(i => $"{10 + i},5 {20 + i},25 30,5 40,75\n"))),
            ("decimal commas with semicolons", string.Concat(Enumerable.Range(0, 10).Select(i => $"{10 + i},5;{20 + i},25;30,5;40,75\n"))),
            ("decimal commas with tabs", string.Concat(Enumerable.Range(0, 10).Select(i => $"{10 + i},5\t{20 + i},25\t30,5\t40,75\n"))),
            ("a byte-order mark and decimal commas", "\uFEFF" + string.Concat(Enumerable.Range(0, 10).Select(i => $"{10 + i},5 {20 + i},25 30,5 40,75\n"))),
            ("a polygon among boxes", good.Replace("15,25,30,40", "15,25,45,25,45,65,15,65")),
            ("a box among polygons", string.Concat(Enumerable.Repeat("1,2,5,2,5,6,1,6\n", 5)) + "1,2,3,4\n"),
        })
            list.Add((what, Utf8(text)));
        return list.Select(c => new Case("ground truth", c.Item1, c.Item2));
    }

    // ---------------------------------------------------------------- labels files

    public static string GoodLabels()
    {
        var f = new LabelsFile();
        f.Videos["clip"] = new VideoLabels
        {
            Source = "/data/clip.mp4", Frames = 4, Width = 64, Height = 48,
            Boxes = new[] { new[] { 1f, 2f, 10f, 12f }, new[] { 2f, 2f, 10f, 12f }, null, new[] { 3f, 3f, 10f, 12f } },
            Quality = new[] { 0.6f, 0.7f, 0f, 0.5f }, Segments = new[] { new[] { 0, 1 } }, VideoQuality = 0.4f,
        };
        f.Failed["broken"] = "cannot open";
        return System.Text.Json.JsonSerializer.Serialize(f, LabelsFile.Json);
    }

    public static IEnumerable<Case> Labels()
    {
        var list = new List<(string, byte[])>(Garbage(5));
        string good = GoodLabels();
        list.AddRange(Truncations(Utf8(good), 1, 10, good.Length / 3, good.Length / 2, good.Length - 1));
        var root = JsonNode.Parse(good)!.AsObject();
        void Edit(string what, Action<JsonObject> edit) { var r = JsonNode.Parse(root.ToJsonString())!.AsObject(); edit(r); list.Add((what, Utf8(r.ToJsonString()))); }
        JsonObject Clip(JsonObject r) => r["videos"]!["clip"]!.AsObject();
        foreach (var top in new[] { "null", "[]", "42", "\"labels\"", "true" }) list.Add(($"file is {top}", Utf8(top)));
        Edit("videos null", r => r["videos"] = null);
        Edit("videos an array", r => r["videos"] = new JsonArray());
        Edit("failed null", r => r["failed"] = null);
        Edit("failed reason null", r => r["failed"]!["broken"] = null);
        Edit("config null", r => r["config"] = null);
        Edit("video null", r => r["videos"]!["clip"] = null);
        Edit("source null", r => Clip(r)["source"] = null);
        Edit("source missing", r => Clip(r).Remove("source"));
        Edit("frames negative", r => Clip(r)["frames"] = -4);
        Edit("frames a string", r => Clip(r)["frames"] = "four");
        Edit("frames more than boxes", r => Clip(r)["frames"] = 40);
        Edit("frames fewer than boxes", r => Clip(r)["frames"] = 2);
        Edit("boxes null", r => Clip(r)["boxes"] = null);
        Edit("boxes a string", r => Clip(r)["boxes"] = "x");
        Edit("a box of three numbers", r => Clip(r)["boxes"]![0] = new JsonArray(1, 2, 3));
        Edit("a box with NaN", r => Clip(r)["boxes"]![1] = new JsonArray(1, 2, "NaN", 4));
        Edit("a box with negative width", r => Clip(r)["boxes"]![3] = new JsonArray(1, 2, -5, 4));
        Edit("a box of strings", r => Clip(r)["boxes"]![0] = new JsonArray("a", "b", "c", "d"));
        Edit("quality null", r => Clip(r)["quality"] = null);
        Edit("quality short", r => Clip(r)["quality"] = new JsonArray(0.5));
        Edit("quality infinite", r => Clip(r)["quality"]![0] = "Infinity");
        Edit("segments null", r => Clip(r)["segments"] = null);
        Edit("a segment reversed", r => Clip(r)["segments"]![0] = new JsonArray(3, 1));
        Edit("a segment past the end", r => Clip(r)["segments"]![0] = new JsonArray(2, 9));
        Edit("a segment negative", r => Clip(r)["segments"]![0] = new JsonArray(-1, 1));
        Edit("a segment of three", r => Clip(r)["segments"]![0] = new JsonArray(0, 1, 2));
        Edit("a segment null", r => Clip(r)["segments"]![0] = null);
        return list.Select(c => new Case("labels", c.Item1, c.Item2));
    }

    // ---------------------------------------------------------------- training configs

    public static IEnumerable<Case> TrainConfigs()
    {
        var list = new List<(string, byte[])>(Garbage(6));
        string good = new TrainConfig().ToJson();
        list.AddRange(Truncations(Utf8(good), 1, 20, good.Length / 2, good.Length - 2));
        var root = JsonNode.Parse(good)!.AsObject();
        foreach (var top in new[] { "null", "[]", "42", "\"config\"" }) list.Add(($"file is {top}", Utf8(top)));
        foreach (var (key, value, what) in new (string, JsonNode?, string)[]
        {
            ("model", null, "null"), ("model", 42, "a number"), ("steps", -1, "-1"), ("steps", "many", "a string"), ("steps", 1e12, "1e12"),
            ("lr", 0, "0"), ("lr", -0.01, "negative"), ("optimizer", "adam", "unknown"), ("optimizer", null, "null"), ("naive_batch", 0, "0"),
            ("lambda_cycle", 2, "2"), ("reweight", null, "null"), ("search_augment", null, "null"), ("tracker", null, "null"),
            ("train_only", null, "null"), ("val_data", null, "null"), ("no_such_option", 1, "given"), ("checkpoint_every", 0, "0"),
        })
        {
            var r = JsonNode.Parse(root.ToJsonString())!.AsObject();
            r[key] = value;
            list.Add(($"{key} {what}", Utf8(r.ToJsonString())));
        }
        foreach (var (key, value, what) in new (string, JsonNode?, string)[] { ("channels", -3, "-3"), ("channels", 1e9, "1e9"), ("backbone", "vgg", "vgg"), ("anchors", null, "null") })
        {
            var r = JsonNode.Parse(root.ToJsonString())!.AsObject();
            r["model"]![key] = value;
            list.Add(($"model.{key} {what}", Utf8(r.ToJsonString())));
        }
        return list.Select(c => new Case("train config", c.Item1, c.Item2));
    }

    // ---------------------------------------------------------------- ONNX (the ImageNet ResNet-18's format)

    /// <summary>Mutations of a width-2 ResNet-18 in the layout of NuGet's ResNet18.onnx; the reader reads and imports it.</summary>
    public static IEnumerable<Case> Onnx()
    {
        var list = new List<(string, byte[])>(Garbage(9));
        byte[] Mutated(Action<OnnxFixture.Graph> change) { var g = OnnxFixture.ResNet18(2); change(g); return OnnxFixture.Serialize(g); }
        var good = OnnxFixture.Serialize(OnnxFixture.ResNet18(2));
        // Cut inside the graph (the last field): its length then runs past the end.
        list.AddRange(Truncations(good, 12, 20, 100, good.Length / 3, good.Length / 2, good.Length - 10, good.Length - 1));
        list.Add(("no graph", OnnxFixture.Serialize(new OnnxFixture.Graph(), withGraph: false)));
        list.Add(("an empty graph", Mutated(g => { g.Nodes.Clear(); g.Inits.Clear(); })));
        // Wire-level damage.
        list.Add(("field number 0", good.Take(1).Select(_ => (byte)0x02).Concat(new byte[] { 0 }).Concat(good).ToArray()));
        list.Add(("a group wire type", new byte[] { 0x0B }.Concat(good).ToArray()));
        list.Add(("a varint of 11 bytes", new byte[] { 0x08 }.Concat(Enumerable.Repeat((byte)0xFF, 10)).Concat(new byte[] { 1 }).Concat(good).ToArray()));
        list.Add(("a length past the end", good.Concat(new byte[] { 0x3A, 0xFF, 0xFF, 0xFF, 0x0F }).ToArray()));
        var wrongWire = (byte[])good.Clone();
        int graphBody = Array.IndexOf(wrongWire, (byte)0x3A) + 1;
        while (wrongWire[graphBody] >= 0x80) graphBody++;
        wrongWire[graphBody + 1] = 0x08;   // the first node (field 1, length-delimited) re-tagged as a varint
        list.Add(("a node with a varint's wire type", wrongWire));
        // Tensors.
        list.Add(("a weight missing", Mutated(g => g.Inits.RemoveAt(0))));
        list.Add(("a weight whose shape and values disagree", Mutated(g => g.Inits[0].Dims = new long[] { 2, 3, 7, 6 })));
        list.Add(("a weight of another shape than the backbone's", Mutated(g => { g.Inits[0].Dims = new long[] { 3, 3, 7, 7 }; g.Inits[0].Floats = new float[441]; })));
        list.Add(("fewer values than the shape holds", Mutated(g => g.Inits[0].Floats = g.Inits[0].Floats![..10])));
        list.Add(("a NaN weight", Mutated(g => g.Inits[0].Floats![5] = float.NaN)));
        list.Add(("an infinite BN scale", Mutated(g => g.Inits[1].Floats![0] = float.PositiveInfinity)));
        list.Add(("a negative running variance", Mutated(g => g.Inits[4].Floats![0] = -1f)));
        list.Add(("a weight stored as int64", Mutated(g => { g.Inits[0].DataType = 7; g.Inits[0].Floats = null; })));
        list.Add(("an initializer given twice", Mutated(g => g.Inits.Add(g.Inits[0]))));
        list.Add(("a weight in an external file", Mutated(g => g.Inits[0].DataLocation = 1)));
        list.Add(("raw data of 5 bytes", Mutated(g => { g.Inits[0].Floats = null; g.Inits[0].Raw = new byte[5]; })));
        list.Add(("both raw and float data", Mutated(g => g.Inits[0].Raw = new byte[4 * g.Inits[0].Floats!.Length])));
        list.Add(("a negative dimension", Mutated(g => g.Inits[0].Dims = new long[] { 2, 3, -7, -7 })));
        list.Add(("dimensions that overflow", Mutated(g => g.Inits[0].Dims = new long[] { 1L << 31, 1L << 31, 1L << 31, 4 })));
        list.Add(("an initializer without a name", Mutated(g => g.Inits[0].Name = "")));
        // The graph's structure.
        list.Add(("a node without an operator", Mutated(g => g.Nodes[0].Op = "")));
        list.Add(("an attribute without a name", Mutated(g => g.Nodes[0].Attrs[0].Name = "")));
        list.Add(("an attribute given twice", Mutated(g => g.Nodes[0].Attrs.Add(g.Nodes[0].Attrs[0]))));
        list.Add(("BN epsilon 1e-3", Mutated(g => g.Nodes[1].Attrs.First(a => a.Name == "epsilon").Float = 1e-3f)));
        list.Add(("a grouped convolution", Mutated(g => g.Nodes[0].Attrs.First(a => a.Name == "group").Int = 3)));
        list.Add(("a dilated convolution", Mutated(g => g.Nodes[0].Attrs.First(a => a.Name == "dilations").Ints = new long[] { 2, 2 })));
        list.Add(("a convolution with a bias", Mutated(g => g.Nodes[0].Inputs.Add(g.Inits[1].Name))));
        list.Add(("a convolution without its BN", Mutated(g => g.Nodes.RemoveAll(n => n.Op == "BatchNormalization" && n.Inputs[0] == g.Nodes[0].Outputs[0]))));
        list.Add(("two 7×7 convolutions", Mutated(g => g.Nodes.Add(g.Nodes[0]))));
        list.Add(("the last block missing", Mutated(g => g.Nodes.RemoveRange(g.Nodes.Count - 8, 8))));
        list.Add(("no 1×1 shortcuts", Mutated(g => g.Nodes.RemoveAll(n => n.Op == "Conv" && n.Attrs.First(a => a.Name == "kernel_shape").Ints![0] == 1))));
        list.Add(("a BN reading a non-initializer", Mutated(g => g.Nodes[1].Inputs[4] = "nowhere")));
        return list.Select(c => new Case("onnx", c.Item1, c.Item2));
    }

    // ---------------------------------------------------------------- images and videos

    public static IEnumerable<Case> Images()
    {
        using var img = new Mat(48, 64, MatType.CV_8UC3);
        Cv2.SetTheRNG(0xFFFFFFFF);   // OpenCV's generator is per thread, moved by earlier tests on it: its initial state, in any test order
        Cv2.Randu(img, Scalar.All(0), Scalar.All(255));
        Cv2.ImEncode(".jpg", img, out byte[] jpg);
        var list = new List<(string, byte[])>(Garbage(7));
        // Cut inside the header, before any scan data: nothing can be decoded.
        list.AddRange(Truncations(jpg, 2, 4, 20, 100));
        var b = (byte[])jpg.Clone(); b[0] ^= 0x01; list.Add(("JPEG magic flipped", b));
        b = (byte[])jpg.Clone(); b[1] = 0x00; list.Add(("JPEG SOI marker broken", b));
        list.Add(("PNG signature then garbage", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5, 6, 7, 8 }));
        list.Add(("BMP magic then garbage", Utf8("BM\u0001\u0002garbage garbage garbage")));
        return list.Select(c => new Case("image", c.Item1, c.Item2));
    }

    public static IEnumerable<Case> Videos()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ulast-fuzz-{Guid.NewGuid():N}.avi");
        byte[] avi;
        try
        {
            using (var w = new VideoWriter(path, FourCC.MJPG, 10, new OpenCvSharp.Size(64, 48)))
            {
                using var img = new Mat(48, 64, MatType.CV_8UC3, Scalar.All(120));
                for (int i = 0; i < 5; i++) w.Write(img);
            }
            avi = File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
        var list = new List<(string, byte[])>(Garbage(8));
        list.AddRange(Truncations(avi, 4, 12, 64));
        // Headers intact, frames destroyed: the container opens but no frame decodes.
        var b = (byte[])avi.Clone(); Array.Clear(b, 512, b.Length - 512); list.Add(("frame data zeroed", b));
        b = (byte[])avi.Clone(); var noise = new byte[b.Length - 512]; new Random(9).NextBytes(noise); noise.CopyTo(b, 512); list.Add(("frame data random", b));
        return list.Select(c => new Case("video", c.Item1, c.Item2));
    }
}
