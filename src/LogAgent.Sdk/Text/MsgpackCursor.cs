using System.Buffers.Binary;

namespace LogAgent.Sdk.Text;

/// <summary>What a msgpack header says comes next (msgpack spec, "Formats"). Extensions other than EventTime are
/// <see cref="Unsupported"/>: only the decoded path knows what to make of them.</summary>
internal enum MsgpackKind : byte { Unsupported, Nil, Boolean, Integer, Float, String, Binary, Array, Map, EventTime }

/// <summary>One header: its kind and the scalar it holds, or the length that follows (bytes of a string, binary;
/// items of an array; pairs of a map).</summary>
internal readonly record struct MsgpackItem(MsgpackKind Kind, int Length = 0, long Integer = 0, double Float = 0, bool Boolean = false, bool IsLargeUnsigned = false);

/// <summary>
/// A forward-only reader of msgpack held in one span, for <see cref="RecordJson.TryWriteMsgpack"/>. It never throws
/// on malformed or truncated input: a header it cannot read is false, and bytes past the end are refused.
/// </summary>
internal ref struct MsgpackCursor(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }

    public readonly bool AtEnd => Position == _data.Length;

    public readonly bool IsMap => Position < _data.Length && _data[Position] is (>= 0x80 and <= 0x8f) or 0xde or 0xdf;

    public bool TrySkipBytes(int count)
    {
        if ((uint)count > (uint)(_data.Length - Position)) return false;
        Position += count;
        return true;
    }

    /// <summary>The next <paramref name="count"/> bytes, which the check pass has proven are there.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        var bytes = _data.Slice(Position, count);
        Position += count;
        return bytes;
    }

    public bool TryReadHeader(out MsgpackItem item)
    {
        item = default;
        if (Position >= _data.Length) return false;
        byte code = _data[Position++];
        switch (code)
        {
            case <= 0x7f: item = new(MsgpackKind.Integer, Integer: code); return true;
            case >= 0xe0: item = new(MsgpackKind.Integer, Integer: (sbyte)code); return true;
            case <= 0x8f: item = new(MsgpackKind.Map, code & 0x0f); return true;
            case <= 0x9f: item = new(MsgpackKind.Array, code & 0x0f); return true;
            case <= 0xbf: item = new(MsgpackKind.String, code & 0x1f); return true;
            case 0xc0: item = new(MsgpackKind.Nil); return true;
            case 0xc2 or 0xc3: item = new(MsgpackKind.Boolean, Boolean: code == 0xc3); return true;
            case 0xc4: return Length(1, MsgpackKind.Binary, out item);
            case 0xc5: return Length(2, MsgpackKind.Binary, out item);
            case 0xc6: return Length(4, MsgpackKind.Binary, out item);
            case 0xc7: // ext 8: EventTime is written this way by some senders
                if (!TryTake(2, out var ext8) || ext8[0] != 8 || ext8[1] != 0) return false;
                item = new(MsgpackKind.EventTime);
                return true;
            case 0xd7: // fixext 8, type 0: EventTime
                if (!TryTake(1, out var fixext) || fixext[0] != 0) return false;
                item = new(MsgpackKind.EventTime);
                return true;
            case 0xca:
                if (!TryTake(4, out var f32)) return false;
                item = new(MsgpackKind.Float, Float: BinaryPrimitives.ReadSingleBigEndian(f32));
                return true;
            case 0xcb:
                if (!TryTake(8, out var f64)) return false;
                item = new(MsgpackKind.Float, Float: BinaryPrimitives.ReadDoubleBigEndian(f64));
                return true;
            case 0xcc: return Integer(1, signed: false, out item);
            case 0xcd: return Integer(2, signed: false, out item);
            case 0xce: return Integer(4, signed: false, out item);
            case 0xcf:
                if (!TryTake(8, out var u64)) return false;
                ulong u = BinaryPrimitives.ReadUInt64BigEndian(u64);
                item = new(MsgpackKind.Integer, Integer: (long)u, IsLargeUnsigned: u > long.MaxValue);
                return true;
            case 0xd0: return Integer(1, signed: true, out item);
            case 0xd1: return Integer(2, signed: true, out item);
            case 0xd2: return Integer(4, signed: true, out item);
            case 0xd3: return Integer(8, signed: true, out item);
            case 0xd9: return Length(1, MsgpackKind.String, out item);
            case 0xda: return Length(2, MsgpackKind.String, out item);
            case 0xdb: return Length(4, MsgpackKind.String, out item);
            case 0xdc: return Length(2, MsgpackKind.Array, out item);
            case 0xdd: return Length(4, MsgpackKind.Array, out item);
            case 0xde: return Length(2, MsgpackKind.Map, out item);
            case 0xdf: return Length(4, MsgpackKind.Map, out item);
            default: return false; // 0xc1 (never used), other extensions
        }
    }

    private bool TryTake(int count, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (count > _data.Length - Position) return false;
        bytes = _data.Slice(Position, count);
        Position += count;
        return true;
    }

    private bool Length(int size, MsgpackKind kind, out MsgpackItem item)
    {
        item = default;
        if (!TryTake(size, out var bytes)) return false;
        uint length = size switch { 1 => bytes[0], 2 => BinaryPrimitives.ReadUInt16BigEndian(bytes), _ => BinaryPrimitives.ReadUInt32BigEndian(bytes) };
        if (length > int.MaxValue) return false;
        item = new(kind, (int)length);
        return true;
    }

    private bool Integer(int size, bool signed, out MsgpackItem item)
    {
        item = default;
        if (!TryTake(size, out var b)) return false;
        long value = (size, signed) switch
        {
            (1, false) => b[0],
            (2, false) => BinaryPrimitives.ReadUInt16BigEndian(b),
            (4, false) => BinaryPrimitives.ReadUInt32BigEndian(b),
            (1, true) => (sbyte)b[0],
            (2, true) => BinaryPrimitives.ReadInt16BigEndian(b),
            (4, true) => BinaryPrimitives.ReadInt32BigEndian(b),
            _ => BinaryPrimitives.ReadInt64BigEndian(b),
        };
        item = new(MsgpackKind.Integer, Integer: value);
        return true;
    }
}
