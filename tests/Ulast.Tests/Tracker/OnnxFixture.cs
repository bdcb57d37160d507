using System.Text;
using Ulast.Tracker.IO;

namespace Ulast.Tests.Tracker;

/// <summary>
/// Writes ONNX files for tests: a graph built as plain records, serialised in protobuf's wire format. The default graph
/// is a ResNet-18 of a given width to layer3 laid out as the CNTK export of NuGet's ResNet18.onnx (conv, then BN;
/// a stride-2 block's 1×1 shortcut before its 3×3s; asymmetric CNTK pads), so the importer reads it like the real one.
/// </summary>
public static class OnnxFixture
{
    public sealed class Attr
    {
        public required string Name;
        public long? Int;
        public float? Float;
        public string? Text;
        public long[]? Ints;
    }

    public sealed class Node
    {
        public string Name = "";
        public required string Op;
        public List<string> Inputs = new();
        public List<string> Outputs = new();
        public List<Attr> Attrs = new();
    }

    public sealed class Init
    {
        public required string Name;
        public required long[] Dims;
        public int DataType = 1;
        public float[]? Floats;
        /// <summary>When set, written as raw_data instead of float_data.</summary>
        public byte[]? Raw;
        public long? DataLocation;
    }

    public sealed class Graph
    {
        public List<Node> Nodes = new();
        public List<Init> Inits = new();
        public List<string> Inputs = new();
        public List<string> Outputs = new();
        /// <summary>Where set, the inputs and outputs are written with a float type (and the inputs with this shape), as ONNX Runtime needs.</summary>
        public long[]? InputShape;
        /// <summary>opset_import's version (0: none written).</summary>
        public long Opset;
    }

    /// <summary>
    /// The ImageNet ResNet-18 of NuGet's file rewritten to the Siamese geometry of <see cref="ResNet18"/> (conv1 and the
    /// stride-2 3×3 unpadded, the shortcut's input cropped by a Slice, layer3 with stride 1 and dilation 2), cut after
    /// layer <paramref name="lastLayer"/>, for an input of <paramref name="size"/>² pixels (BGR minus the mean): what
    /// Ulast's backbone computes, run by ONNX Runtime.
    /// </summary>
    public static Graph SiameseResNet18(OnnxModel m, int lastLayer, int size)
    {
        var g = new Graph { InputShape = new long[] { 1, 3, size, size }, Opset = 8 };
        g.Inputs.Add(m.Inputs[0]);
        var needed = new HashSet<string>();
        int adds = 0, id = 0;
        string? cut = null;
        // Each layer ends with the ReLU after its second Add.
        var lastAdd = m.Nodes.Where(x => x.OpType == "Add").ElementAt(2 * lastLayer - 1).Outputs[0];
        foreach (var n in m.Nodes)
        {
            var node = new Node { Name = n.Name, Op = n.OpType, Inputs = n.Inputs.ToList(), Outputs = n.Outputs.ToList(),
                Attrs = n.Attributes.Values.Select(a => new Attr { Name = a.Name, Int = a.Int, Float = a.Float, Text = a.Text, Ints = a.Ints.Length > 0 ? a.Ints : null }).ToList() };
            // CNTK pads its max-pool (1, 0); on an odd side that drops a row ours keeps.
            if (n.OpType == "MaxPool") node.Attrs.First(a => a.Name == "pads").Ints = new long[] { 1, 1, 1, 1 };
            if (n.OpType == "Conv")
            {
                // Which layer: 2 Adds per layer, and layer1 has none of its own before its first Add.
                int layer = adds / 2 + 1;
                long k = m.Initializers[n.Inputs[1]].Dims[3];
                var strides = node.Attrs.First(a => a.Name == "strides");
                var pads = node.Attrs.First(a => a.Name == "pads");
                if (k == 7) pads.Ints = new long[] { 0, 0, 0, 0 };
                else if (layer == 3)
                {
                    strides.Ints = new long[] { 1, 1 };
                    if (k == 3) { pads.Ints = new long[] { 2, 2, 2, 2 }; node.Attrs.First(a => a.Name == "dilations").Ints = new long[] { 2, 2 }; }
                }
                else if (strides.Ints![0] == 2 && k == 3) pads.Ints = new long[] { 0, 0, 0, 0 };
                else if (strides.Ints![0] == 2 && k == 1)
                {
                    var cropped = $"SiameseCrop{++id}";
                    g.Nodes.Add(new Node { Name = cropped, Op = "Slice", Inputs = { n.Inputs[0] }, Outputs = { cropped },
                        Attrs = { new Attr { Name = "axes", Ints = new long[] { 2, 3 } }, new Attr { Name = "starts", Ints = new long[] { 1, 1 } }, new Attr { Name = "ends", Ints = new long[] { -1, -1 } } } });
                    node.Inputs[0] = cropped;
                }
            }
            g.Nodes.Add(node);
            if (n.OpType == "Add") adds++;
            if (n.OpType == "Relu" && n.Inputs[0] == lastAdd) { cut = n.Outputs[0]; break; }
        }
        foreach (var n in g.Nodes) foreach (var i in n.Inputs) needed.Add(i);
        foreach (var t in m.Initializers.Values.Where(t => needed.Contains(t.Name)))
            g.Inits.Add(new Init { Name = t.Name, Dims = t.Dims, DataType = t.DataType, Floats = t.Data });
        g.Outputs.Add(cut ?? throw new InvalidOperationException($"layer {lastLayer} not found"));
        return g;
    }

    /// <summary>A ResNet-18 to layer3 of the given width, random weights, positive variances.</summary>
    public static Graph ResNet18(int width, int seed = 1)
    {
        var rng = new Random(seed);
        var g = new Graph();
        int id = 0;
        g.Inputs.Add("Input");
        string Param(params long[] dims)
        {
            var name = $"Parameter{++id}";
            long n = dims.Aggregate(1L, (a, b) => a * b);
            g.Inits.Add(new Init { Name = name, Dims = dims, Floats = Enumerable.Range(0, (int)n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray() });
            return name;
        }
        string Positive(long n)
        {
            var name = $"Constant{++id}";
            g.Inits.Add(new Init { Name = name, Dims = new[] { n }, Floats = Enumerable.Range(0, (int)n).Select(_ => (float)(0.5 + rng.NextDouble())).ToArray() });
            return name;
        }
        string Add(string op, string[] inputs, params Attr[] attrs)
        {
            var output = $"{op}{++id}_Output_0";
            g.Nodes.Add(new Node { Name = op + id, Op = op, Inputs = inputs.ToList(), Outputs = { output }, Attrs = attrs.ToList() });
            return output;
        }
        string ConvBn(string x, int cin, int cout, int k, int stride, bool relu)
        {
            int pb = k / 2, pe = stride == 2 ? k / 2 - 1 : k / 2;
            var c = Add("Conv", new[] { x, Param(cout, cin, k, k) }, new Attr { Name = "kernel_shape", Ints = new long[] { k, k } },
                new Attr { Name = "strides", Ints = new long[] { stride, stride } }, new Attr { Name = "auto_pad", Text = "NOTSET" }, new Attr { Name = "group", Int = 1 },
                new Attr { Name = "dilations", Ints = new long[] { 1, 1 } }, new Attr { Name = "pads", Ints = new long[] { pb, pb, Math.Max(pe, 0), Math.Max(pe, 0) } });
            var b = Add("BatchNormalization", new[] { c, Param(cout), Param(cout), Param(cout), Positive(cout) }, new Attr { Name = "spatial", Int = 1 },
                new Attr { Name = "epsilon", Float = 1e-5f }, new Attr { Name = "momentum", Float = 0.9f });
            return relu ? Add("Relu", new[] { b }) : b;
        }
        var h = ConvBn("Input", 3, width, 7, 2, true);
        h = Add("MaxPool", new[] { h }, new Attr { Name = "kernel_shape", Ints = new long[] { 3, 3 } }, new Attr { Name = "strides", Ints = new long[] { 2, 2 } },
            new Attr { Name = "pads", Ints = new long[] { 1, 1, 0, 0 } });
        int cin = width;
        for (int layer = 0; layer < 3; layer++)
        {
            int planes = width << layer;
            for (int block = 0; block < 2; block++)
            {
                int stride = layer > 0 && block == 0 ? 2 : 1;
                string shortcut = stride == 2 ? ConvBn(h, cin, planes, 1, 2, false) : h;
                var m = ConvBn(ConvBn(h, cin, planes, 3, stride, true), planes, planes, 3, 1, false);
                h = Add("Relu", new[] { Add("Add", new[] { m, shortcut }) });
                cin = planes;
            }
        }
        g.Outputs.Add(h);
        return g;
    }

    // ---------------------------------------------------------------- the wire format

    private static void Varint(List<byte> b, ulong v) { while (v >= 0x80) { b.Add((byte)(v | 0x80)); v >>= 7; } b.Add((byte)v); }
    private static void Tag(List<byte> b, int field, int wire) => Varint(b, (ulong)(field << 3 | wire));
    private static void Bytes(List<byte> b, int field, byte[] v) { Tag(b, field, 2); Varint(b, (ulong)v.Length); b.AddRange(v); }
    private static void Text(List<byte> b, int field, string v) => Bytes(b, field, Encoding.UTF8.GetBytes(v));
    private static void Int(List<byte> b, int field, long v) { Tag(b, field, 0); Varint(b, (ulong)v); }
    private static void Float(List<byte> b, int field, float v) { Tag(b, field, 5); b.AddRange(BitConverter.GetBytes(v)); }

    public static byte[] Serialize(Graph g, bool withGraph = true)
    {
        var model = new List<byte>();
        Int(model, 1, 3);
        Text(model, 2, "fixture");
        if (g.Opset > 0) { var op = new List<byte>(); Text(op, 1, ""); Int(op, 2, g.Opset); Bytes(model, 8, op.ToArray()); }
        if (withGraph) Bytes(model, 7, GraphBytes(g));
        return model.ToArray();
    }

    /// <summary>A ValueInfoProto: the name, and with <paramref name="typed"/> a float tensor type of the given shape (or none).</summary>
    private static byte[] ValueInfo(string name, bool typed, long[]? shape)
    {
        var v = new List<byte>();
        Text(v, 1, name);
        if (!typed) return v.ToArray();
        var tensor = new List<byte>();
        Int(tensor, 1, 1);
        if (shape is not null)
        {
            var sh = new List<byte>();
            foreach (var d in shape) { var dim = new List<byte>(); Int(dim, 1, d); Bytes(sh, 1, dim.ToArray()); }
            Bytes(tensor, 2, sh.ToArray());
        }
        var type = new List<byte>();
        Bytes(type, 1, tensor.ToArray());
        Bytes(v, 2, type.ToArray());
        return v.ToArray();
    }

    public static byte[] GraphBytes(Graph g)
    {
        var b = new List<byte>();
        foreach (var n in g.Nodes) Bytes(b, 1, NodeBytes(n));
        Text(b, 2, "graph");
        foreach (var t in g.Inits) Bytes(b, 5, InitBytes(t));
        foreach (var i in g.Inputs) Bytes(b, 11, ValueInfo(i, g.InputShape is not null, g.InputShape));
        foreach (var o in g.Outputs) Bytes(b, 12, ValueInfo(o, g.InputShape is not null, null));
        return b.ToArray();
    }

    private static byte[] NodeBytes(Node n)
    {
        var b = new List<byte>();
        foreach (var i in n.Inputs) Text(b, 1, i);
        foreach (var o in n.Outputs) Text(b, 2, o);
        Text(b, 3, n.Name);
        Text(b, 4, n.Op);
        foreach (var a in n.Attrs)
        {
            var ab = new List<byte>();
            Text(ab, 1, a.Name);
            if (a.Float is { } f) Float(ab, 2, f);
            if (a.Int is { } i) Int(ab, 3, i);
            if (a.Text is { } s) Text(ab, 4, s);
            if (a.Ints is { } ints) { var packed = new List<byte>(); foreach (var v in ints) Varint(packed, (ulong)v); Bytes(ab, 8, packed.ToArray()); }
            // AttributeProto.type: FLOAT 1, INT 2, STRING 3, INTS 7.
            Int(ab, 20, a.Float is not null ? 1 : a.Int is not null ? 2 : a.Text is not null ? 3 : 7);
            Bytes(b, 5, ab.ToArray());
        }
        return b.ToArray();
    }

    private static byte[] InitBytes(Init t)
    {
        var b = new List<byte>();
        foreach (var d in t.Dims) Int(b, 1, d);
        Int(b, 2, t.DataType);
        if (t.Floats is not null) Bytes(b, 4, t.Floats.SelectMany(BitConverter.GetBytes).ToArray());
        Text(b, 8, t.Name);
        if (t.Raw is not null) Bytes(b, 9, t.Raw);
        if (t.DataLocation is { } loc) Int(b, 14, loc);
        return b.ToArray();
    }
}
