namespace Ulast.Tracker.IO;

/// <summary>
/// Protocol Buffers' wire format, read by hand: a cursor over one message's bytes that yields (field, wire type)
/// and the value. Just what ONNX needs (varints, 32/64-bit fixed, length-delimited); every length is checked
/// against the bytes left, so a corrupt file ends in a <see cref="BadDataException"/> naming <see cref="Source"/>.
/// </summary>
public ref struct ProtoReader
{
    public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;

    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public ProtoReader(ReadOnlySpan<byte> data, string source)
    {
        _data = data;
        Source = source;
    }

    public string Source { get; }
    public bool AtEnd => _pos >= _data.Length;

    /// <summary>The next field's number and wire type.</summary>
    public (int Field, int Wire) ReadTag()
    {
        ulong key = ReadVarint();
        int wire = (int)(key & 7);
        ulong field = key >> 3;
        if (field == 0 || field > int.MaxValue) throw Bad($"field number {field}");
        if (wire is not (Varint or Fixed64 or LengthDelimited or Fixed32)) throw Bad($"wire type {wire} (groups are not used by ONNX)");
        return ((int)field, wire);
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (_pos >= _data.Length) throw Bad("a varint runs past the end");
            byte b = _data[_pos++];
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return result;
        }
        throw Bad("a varint longer than 10 bytes");
    }

    public long ReadInt64() => (long)ReadVarint();

    public uint ReadFixed32() => BitConverter.ToUInt32(Take(4));

    public float ReadFloat() => BitConverter.Int32BitsToSingle((int)ReadFixed32());

    public ReadOnlySpan<byte> ReadBytes()
    {
        ulong n = ReadVarint();
        if (n > (ulong)(_data.Length - _pos)) throw Bad($"a length of {n} bytes runs past the end ({_data.Length - _pos} left)");
        return Take((int)n);
    }

    public string ReadString() => System.Text.Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Skips a value of the given wire type (fields this reader does not use).</summary>
    public void Skip(int wire)
    {
        switch (wire)
        {
            case Varint: ReadVarint(); break;
            case Fixed64: Take(8); break;
            case Fixed32: Take(4); break;
            default: ReadBytes(); break;
        }
    }

    /// <summary>A repeated int64 field, packed (one length-delimited run) or not (one varint).</summary>
    public void ReadInt64s(int wire, List<long> into)
    {
        if (wire == Varint) { into.Add(ReadInt64()); return; }
        Expect(wire, LengthDelimited, "a repeated integer");
        var inner = new ProtoReader(ReadBytes(), Source);
        while (!inner.AtEnd) into.Add(inner.ReadInt64());
    }

    /// <summary>A repeated float field, packed or not.</summary>
    public void ReadFloats(int wire, List<float> into)
    {
        if (wire == Fixed32) { into.Add(ReadFloat()); return; }
        Expect(wire, LengthDelimited, "a repeated float");
        var bytes = ReadBytes();
        if (bytes.Length % 4 != 0) throw Bad($"a packed float run of {bytes.Length} bytes (not a multiple of 4)");
        for (int i = 0; i < bytes.Length; i += 4) into.Add(BitConverter.ToSingle(bytes.Slice(i, 4)));
    }

    public void Expect(int wire, int expected, string what)
    {
        if (wire != expected) throw Bad($"{what} has wire type {wire}, expected {expected}");
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _data.Length - _pos) throw Bad($"{n} bytes wanted, {_data.Length - _pos} left");
        var s = _data.Slice(_pos, n);
        _pos += n;
        return s;
    }

    public BadDataException Bad(string what) => new($"'{Source}' is not a valid ONNX file: {what} at byte {_pos}.");
}
