namespace Ulast.Tracker.IO;

/// <summary>One attribute of an ONNX node (only the kinds a convolutional network uses).</summary>
public sealed record OnnxAttribute(string Name, long? Int, float? Float, string? Text, long[] Ints, float[] Floats);

/// <summary>One node of an ONNX graph: its operator, the names of its inputs and outputs, and its attributes.</summary>
public sealed record OnnxNode(string Name, string OpType, string[] Inputs, string[] Outputs, IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    /// <summary>An integer list attribute, or <paramref name="fallback"/> when the node has none.</summary>
    public long[] Ints(string name, params long[] fallback) => Attributes.TryGetValue(name, out var a) ? a.Ints : fallback;
    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) && a.Int is { } v ? v : fallback;
    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) && a.Float is { } v ? v : fallback;
}

/// <summary>An initializer: its shape and, for float tensors, its values (other element types keep only their shape).</summary>
public sealed record OnnxTensor(string Name, long[] Dims, int DataType, float[]? Data)
{
    public const int FloatType = 1;
    public int[] Shape => Dims.Select(d => (int)d).ToArray();
}

/// <summary>
/// An ONNX model read with <see cref="ProtoReader"/>: the graph's nodes in order, its inputs, outputs and float
/// initializers. Written by hand rather than with Google.Protobuf because ONNX needs five small messages, the
/// reader stays a page that the fuzz corpus can cover line by line, and the project gains no package for it.
/// </summary>
public sealed class OnnxModel
{
    /// <summary>Largest file read (ONNX's own limit for a single protobuf is 2 GB).</summary>
    public const long MaxBytes = int.MaxValue;

    public List<OnnxNode> Nodes { get; } = new();
    public List<string> Inputs { get; } = new();
    public List<string> Outputs { get; } = new();
    public Dictionary<string, OnnxTensor> Initializers { get; } = new(StringComparer.Ordinal);

    public static OnnxModel Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX file '{path}' does not exist.", path);
        long length = new FileInfo(path).Length;
        if (length > MaxBytes) throw new BadDataException($"'{path}' is {length:N0} bytes, more than an ONNX file can hold.");
        return Parse(File.ReadAllBytes(path), path);
    }

    public static OnnxModel Parse(ReadOnlySpan<byte> bytes, string source)
    {
        var m = new OnnxModel();
        var r = new ProtoReader(bytes, source);
        bool graph = false;
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            // A message field given twice is merged (protobuf's rule): the graph's lists grow.
            if (field == 7) { r.Expect(wire, ProtoReader.LengthDelimited, "the graph"); m.ReadGraph(new ProtoReader(r.ReadBytes(), source)); graph = true; }
            else r.Skip(wire);
        }
        if (!graph) throw new BadDataException($"'{source}' is not an ONNX model: it holds no graph.");
        foreach (var n in m.Nodes)
            if (n.OpType.Length == 0) throw new BadDataException($"'{source}': node '{n.Name}' has no operator type.");
        return m;
    }

    private void ReadGraph(ProtoReader r)
    {
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.Expect(wire, ProtoReader.LengthDelimited, "a node"); Nodes.Add(ReadNode(new ProtoReader(r.ReadBytes(), r.Source))); break;
                case 5:
                    r.Expect(wire, ProtoReader.LengthDelimited, "an initializer");
                    var t = ReadTensor(new ProtoReader(r.ReadBytes(), r.Source));
                    if (!Initializers.TryAdd(t.Name, t)) throw r.Bad($"initializer '{t.Name}' given twice");
                    break;
                case 11 or 12:
                    r.Expect(wire, ProtoReader.LengthDelimited, "a graph input or output");
                    (field == 11 ? Inputs : Outputs).Add(ReadValueName(new ProtoReader(r.ReadBytes(), r.Source)));
                    break;
                default: r.Skip(wire); break;
            }
        }
    }

    private static string ReadValueName(ProtoReader r)
    {
        string name = "";
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            if (field == 1 && wire == ProtoReader.LengthDelimited) name = r.ReadString();
            else r.Skip(wire);
        }
        return name;
    }

    private static OnnxNode ReadNode(ProtoReader r)
    {
        string name = "", op = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attrs = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            if (field is >= 1 and <= 5 && wire != ProtoReader.LengthDelimited) throw r.Bad($"node field {field} has wire type {wire}");
            switch (field)
            {
                case 1: inputs.Add(r.ReadString()); break;
                case 2: outputs.Add(r.ReadString()); break;
                case 3: name = r.ReadString(); break;
                case 4: op = r.ReadString(); break;
                case 5:
                    var a = ReadAttribute(new ProtoReader(r.ReadBytes(), r.Source));
                    if (!attrs.TryAdd(a.Name, a)) throw r.Bad($"attribute '{a.Name}' given twice in node '{name}'");
                    break;
                default: r.Skip(wire); break;
            }
        }
        return new OnnxNode(name, op, inputs.ToArray(), outputs.ToArray(), attrs);
    }

    private static OnnxAttribute ReadAttribute(ProtoReader r)
    {
        string name = "";
        long? i = null;
        float? f = null;
        string? s = null;
        var ints = new List<long>();
        var floats = new List<float>();
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.Expect(wire, ProtoReader.LengthDelimited, "an attribute name"); name = r.ReadString(); break;
                case 2: r.Expect(wire, ProtoReader.Fixed32, "a float attribute"); f = r.ReadFloat(); break;
                case 3: r.Expect(wire, ProtoReader.Varint, "an integer attribute"); i = r.ReadInt64(); break;
                case 4: r.Expect(wire, ProtoReader.LengthDelimited, "a string attribute"); s = r.ReadString(); break;
                case 7: r.ReadFloats(wire, floats); break;
                case 8: r.ReadInt64s(wire, ints); break;
                default: r.Skip(wire); break;
            }
        }
        if (name.Length == 0) throw r.Bad("an attribute without a name");
        return new OnnxAttribute(name, i, f, s, ints.ToArray(), floats.ToArray());
    }

    private static OnnxTensor ReadTensor(ProtoReader r)
    {
        string name = "";
        int type = 0;
        var dims = new List<long>();
        var floats = new List<float>();
        byte[]? raw = null;
        while (!r.AtEnd)
        {
            var (field, wire) = r.ReadTag();
            switch (field)
            {
                case 1: r.ReadInt64s(wire, dims); break;
                case 2: r.Expect(wire, ProtoReader.Varint, "a tensor's data type"); type = (int)r.ReadInt64(); break;
                case 4: r.ReadFloats(wire, floats); break;
                case 8: r.Expect(wire, ProtoReader.LengthDelimited, "a tensor name"); name = r.ReadString(); break;
                case 9: r.Expect(wire, ProtoReader.LengthDelimited, "a tensor's raw data"); raw = r.ReadBytes().ToArray(); break;
                case 14:
                    r.Expect(wire, ProtoReader.Varint, "a tensor's data location");
                    if (r.ReadInt64() != 0) throw r.Bad($"tensor '{name}' keeps its data in an external file, which this reader does not follow");
                    break;
                default: r.Skip(wire); break;
            }
        }
        if (name.Length == 0) throw r.Bad("an initializer without a name");
        long count = 1;
        foreach (var d in dims)
        {
            if (d < 0 || d > int.MaxValue) throw r.Bad($"tensor '{name}' has a dimension of {d}");
            count = d == 0 ? 0 : count > int.MaxValue / d ? long.MaxValue : count * d;
        }
        if (count > int.MaxValue / 4) throw r.Bad($"tensor '{name}' of shape [{string.Join(",", dims)}] is too large");
        if (type != OnnxTensor.FloatType) return new OnnxTensor(name, dims.ToArray(), type, null);
        float[] data;
        if (raw is not null)
        {
            if (floats.Count > 0) throw r.Bad($"tensor '{name}' has both raw and float data");
            if (raw.Length % 4 != 0) throw r.Bad($"tensor '{name}' has {raw.Length} raw bytes, not a multiple of 4");
            data = new float[raw.Length / 4];
            Buffer.BlockCopy(raw, 0, data, 0, raw.Length);
            if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
        }
        else data = floats.ToArray();
        if (data.Length != count) throw r.Bad($"tensor '{name}' of shape [{string.Join(",", dims)}] holds {data.Length} values, not {count}");
        return new OnnxTensor(name, dims.ToArray(), type, data);
    }
}
