using System.Buffers.Binary;
using MessagePack;

namespace LogAgent.Core.Forward;

/// <summary>
/// The fast check of PackedForward entries: walks the bytes once, skipping each record without decoding it, and
/// answers whether every entry is a plain <c>[time, record]</c> that can be kept exactly as it arrived — a time that is
/// EventTime (ext 0, 8 bytes) or a positive integer, and a record that is a map. Anything else (time 0 or nil, Fluent
/// Bit's <c>[[time, metadata], record]</c>, nil or invalid records, floats, truncation, nesting past
/// <see cref="ForwardFraming.MaxNesting"/>) is left to <see cref="ForwardMessageDecoder"/>'s full reader, which
/// normalises or reports it; so this answers "plain" only where that reader would too.
/// It works on one span with a switch over the first byte of each value, several times faster than
/// <see cref="MessagePackReader.Skip"/> over a sequence; a 1,000-event request is one pass with no allocation.
/// </summary>
public static class PlainEntryScan
{
    /// <summary>The number of entries when all are plain; -1 when any needs the full reader.</summary>
    public static int Count(ReadOnlySpan<byte> entries)
    {
        Span<uint> pending = stackalloc uint[ForwardFraming.MaxNesting + 1];
        int pos = 0, count = 0;
        while (pos < entries.Length)
        {
            if (entries[pos] != 0x92) return -1; // fixarray of 2
            pos++;
            if (!SkipPlainTime(entries, ref pos)) return -1;
            if (pos >= entries.Length || !IsMap(entries[pos])) return -1;
            if (!SkipValue(entries, ref pos, pending)) return -1;
            count++;
        }
        return count;
    }

    /// <summary>
    /// Skips the msgpack value at <paramref name="pos"/>, whatever its type; false (pos unchanged) when it is cut
    /// short, malformed or nested deeper than <see cref="ForwardFraming.MaxNesting"/>.
    /// </summary>
    public static bool TrySkip(ReadOnlySpan<byte> s, ref int pos)
    {
        Span<uint> pending = stackalloc uint[ForwardFraming.MaxNesting + 1];
        int at = pos;
        if (!SkipValue(s, ref at, pending)) return false;
        pos = at;
        return true;
    }

    private static bool IsMap(byte code) => code is (>= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap) or MessagePackCode.Map16 or MessagePackCode.Map32;

    // An EventTime (fixext 8 or ext 8, type 0) or an integer, either with nonzero seconds; fluentd replaces time 0
    // with "now", which the full reader does.
    private static bool SkipPlainTime(ReadOnlySpan<byte> s, ref int pos)
    {
        if (pos >= s.Length) return false;
        byte code = s[pos];
        int bodyAt;
        switch (code)
        {
            case MessagePackCode.FixExt8:
                bodyAt = pos + 2;
                if (bodyAt + 8 > s.Length || s[pos + 1] != 0) return false;
                break;
            case MessagePackCode.Ext8:
                bodyAt = pos + 3;
                if (bodyAt + 8 > s.Length || s[pos + 1] != 8 || s[pos + 2] != 0) return false;
                break;
            case >= 1 and <= MessagePackCode.MaxFixInt:
                pos++;
                return true;
            case MessagePackCode.UInt8:
                if (pos + 2 > s.Length || s[pos + 1] == 0) return false;
                pos += 2;
                return true;
            case MessagePackCode.UInt16:
                if (pos + 3 > s.Length || BinaryPrimitives.ReadUInt16BigEndian(s[(pos + 1)..]) == 0) return false;
                pos += 3;
                return true;
            case MessagePackCode.UInt32:
                if (pos + 5 > s.Length || BinaryPrimitives.ReadUInt32BigEndian(s[(pos + 1)..]) == 0) return false;
                pos += 5;
                return true;
            default:
                return false;
        }
        if (BinaryPrimitives.ReadUInt32BigEndian(s[bodyAt..]) == 0) return false;
        pos = bodyAt + 8;
        return true;
    }

    // Skips one value of any type, iteratively; false when it is cut short, uses the never-used code 0xc1, or nests
    // too deep.
    private static bool SkipValue(ReadOnlySpan<byte> s, ref int pos, Span<uint> pending)
    {
        int depth = 0;
        pending[0] = 1;
        while (true)
        {
            while (pending[depth] == 0)
            {
                if (depth == 0) return true;
                depth--;
            }
            pending[depth]--;
            if (pos >= s.Length) return false;
            byte code = s[pos];
            long size; // bytes of a scalar, or -1 for a container whose children follow
            uint children = 0;
            switch (code)
            {
                case <= MessagePackCode.MaxFixInt:
                case >= MessagePackCode.MinNegativeFixInt:
                case MessagePackCode.Nil or MessagePackCode.True or MessagePackCode.False:
                    size = 1;
                    break;
                case >= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap:
                    size = -1; children = 2u * (code & 0x0fu); pos++;
                    break;
                case >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray:
                    size = -1; children = code & 0x0fu; pos++;
                    break;
                case >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr:
                    size = 1 + (code & 0x1f);
                    break;
                case MessagePackCode.Str8 or MessagePackCode.Bin8:
                    if (pos + 2 > s.Length) return false;
                    size = 2 + s[pos + 1];
                    break;
                case MessagePackCode.Str16 or MessagePackCode.Bin16:
                    if (pos + 3 > s.Length) return false;
                    size = 3 + BinaryPrimitives.ReadUInt16BigEndian(s[(pos + 1)..]);
                    break;
                case MessagePackCode.Str32 or MessagePackCode.Bin32:
                    if (pos + 5 > s.Length) return false;
                    size = 5L + BinaryPrimitives.ReadUInt32BigEndian(s[(pos + 1)..]);
                    break;
                case MessagePackCode.UInt8 or MessagePackCode.Int8: size = 2; break;
                case MessagePackCode.UInt16 or MessagePackCode.Int16: size = 3; break;
                case MessagePackCode.UInt32 or MessagePackCode.Int32 or MessagePackCode.Float32: size = 5; break;
                case MessagePackCode.UInt64 or MessagePackCode.Int64 or MessagePackCode.Float64: size = 9; break;
                case MessagePackCode.FixExt1: size = 3; break;
                case MessagePackCode.FixExt2: size = 4; break;
                case MessagePackCode.FixExt4: size = 6; break;
                case MessagePackCode.FixExt8: size = 10; break;
                case MessagePackCode.FixExt16: size = 18; break;
                case MessagePackCode.Ext8:
                    if (pos + 2 > s.Length) return false;
                    size = 3 + s[pos + 1];
                    break;
                case MessagePackCode.Ext16:
                    if (pos + 3 > s.Length) return false;
                    size = 4 + BinaryPrimitives.ReadUInt16BigEndian(s[(pos + 1)..]);
                    break;
                case MessagePackCode.Ext32:
                    if (pos + 5 > s.Length) return false;
                    size = 6L + BinaryPrimitives.ReadUInt32BigEndian(s[(pos + 1)..]);
                    break;
                case MessagePackCode.Array16 or MessagePackCode.Map16:
                    if (pos + 3 > s.Length) return false;
                    children = BinaryPrimitives.ReadUInt16BigEndian(s[(pos + 1)..]);
                    if (code == MessagePackCode.Map16) children *= 2;
                    size = -1; pos += 3;
                    break;
                case MessagePackCode.Array32 or MessagePackCode.Map32:
                    if (pos + 5 > s.Length) return false;
                    uint n = BinaryPrimitives.ReadUInt32BigEndian(s[(pos + 1)..]);
                    // More children than bytes left cannot be whole (each takes at least one byte); it also keeps
                    // 2 × n of a map within range.
                    if (n > s.Length) return false;
                    children = code == MessagePackCode.Map32 ? 2 * n : n;
                    size = -1; pos += 5;
                    break;
                default: // 0xc1, never used
                    return false;
            }
            if (size >= 0)
            {
                if (size > s.Length - pos) return false;
                pos += (int)size;
                continue;
            }
            if (children == 0) continue;
            if (depth == ForwardFraming.MaxNesting) return false;
            pending[++depth] = children;
        }
    }
}
