using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Text;

public static partial class RecordJson
{
    /// <summary>
    /// Writes a record still in msgpack form as exactly the JSON <see cref="Write"/> gives for its decoded form
    /// (<see cref="RecordCodec.Decode"/>), without decoding it: no dictionary, no strings — for outputs that format every
    /// event (the Kinesis plugins). Returns false, having written nothing, when the record holds something only the
    /// decoded path treats the same way: a key that is not a valid UTF-8 string, a key repeated in one map (the
    /// dictionary keeps the last value), an extension other than EventTime, or nesting deeper than 64.
    /// </summary>
    /// <remarks>
    /// The record is read straight from its bytes (<see cref="MsgpackCursor"/>) rather than through MessagePack's
    /// <c>MessagePackReader</c>, whose every call goes through a ReadOnlySequence: this runs for every event of a
    /// Kinesis output, and the reader was most of its cost. Two passes — check, then write — so that nothing is
    /// written for a record that must take the decoded path.
    /// </remarks>
    public static bool TryWriteMsgpack(IBufferWriter<byte> output, ReadOnlyMemory<byte> recordMsgpack)
    {
        var record = recordMsgpack.Span;
        var check = new MsgpackCursor(record);
        if (!check.IsMap || !CanTranscode(ref check, record, 0) || !check.AtEnd) return false; // malformed: the decoded path reports it
        var reader = new MsgpackCursor(record);
        Transcode(output, ref reader);
        return true;
    }

    // whole: the record's bytes; map keys are compared there, with no copy.
    private static bool CanTranscode(ref MsgpackCursor reader, ReadOnlySpan<byte> whole, int depth)
    {
        if (depth > 64 || !reader.TryReadHeader(out var item)) return false;
        switch (item.Kind)
        {
            case MsgpackKind.Nil or MsgpackKind.Boolean or MsgpackKind.Integer or MsgpackKind.Float:
                return true;
            case MsgpackKind.String or MsgpackKind.Binary:
                return reader.TrySkipBytes(item.Length);
            case MsgpackKind.EventTime:
                return reader.TrySkipBytes(8);
            case MsgpackKind.Array:
                for (int i = 0; i < item.Length; i++)
                    if (!CanTranscode(ref reader, whole, depth + 1)) return false;
                return true;
            case MsgpackKind.Map:
                {
                    int n = item.Length;
                    if (n > 32) return false; // a very wide map: not worth checking for repeats here
                    // Where each key is in the record (32 × 64 levels × 8 bytes at most on the stack).
                    Span<Range> keys = stackalloc Range[n];
                    for (int i = 0; i < n; i++)
                    {
                        if (!reader.TryReadHeader(out var key) || key.Kind != MsgpackKind.String) return false;
                        int start = reader.Position;
                        if (!reader.TrySkipBytes(key.Length) || !System.Text.Unicode.Utf8.IsValid(whole[start..reader.Position])) return false;
                        keys[i] = start..reader.Position;
                        for (int k = 0; k < i; k++)
                            if (whole[keys[k]].SequenceEqual(whole[keys[i]])) return false;
                        if (!CanTranscode(ref reader, whole, depth + 1)) return false;
                    }
                    return true;
                }
            default:
                return false;
        }
    }

    /// <summary>Writes one value that <see cref="CanTranscode"/> accepted.</summary>
    private static void Transcode(IBufferWriter<byte> output, ref MsgpackCursor reader)
    {
        reader.TryReadHeader(out var item);
        switch (item.Kind)
        {
            case MsgpackKind.Nil: Raw(output, "null"u8); break;
            case MsgpackKind.Boolean: Raw(output, item.Boolean ? "true"u8 : "false"u8); break;
            case MsgpackKind.Integer:
                if (item.IsLargeUnsigned) WriteUInt64(output, (ulong)item.Integer);
                else WriteInt64(output, item.Integer);
                break;
            case MsgpackKind.Float: WriteDouble(output, item.Float); break;
            case MsgpackKind.String: WriteUtf8String(output, reader.ReadBytes(item.Length)); break;
            case MsgpackKind.Binary: WriteString(output, Utf8.GetString(reader.ReadBytes(item.Length))); break;
            case MsgpackKind.EventTime:
                WriteInt64(output, BinaryPrimitives.ReadUInt32BigEndian(reader.ReadBytes(8))); // Fluent::EventTime#to_json: the seconds
                break;
            case MsgpackKind.Array:
                Raw(output, "["u8);
                for (int i = 0; i < item.Length; i++)
                {
                    if (i > 0) Raw(output, ","u8);
                    Transcode(output, ref reader);
                }
                Raw(output, "]"u8);
                break;
            default: // Map
                Raw(output, "{"u8);
                for (int i = 0; i < item.Length; i++)
                {
                    if (i > 0) Raw(output, ","u8);
                    reader.TryReadHeader(out var key);
                    WriteUtf8String(output, reader.ReadBytes(key.Length));
                    Raw(output, ":"u8);
                    Transcode(output, ref reader);
                }
                Raw(output, "}"u8);
                break;
        }
    }

    private static void WriteUInt64(IBufferWriter<byte> output, ulong value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out int written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    private static void WriteInt64(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        value.TryFormat(span, out int written, default, CultureInfo.InvariantCulture);
        output.Advance(written);
    }

    /// <summary>
    /// <see cref="WriteString"/> for text already in UTF-8: the characters it escapes are all ASCII, and no byte of a
    /// multi-byte UTF-8 sequence is ASCII, so escaping byte by byte gives the same bytes. Text that is not valid UTF-8
    /// is decoded first, as msgpack's string reader does (invalid bytes become U+FFFD).
    /// </summary>
    private static void WriteUtf8String(IBufferWriter<byte> output, ReadOnlySpan<byte> utf8)
    {
        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            WriteString(output, Utf8.GetString(utf8));
            return;
        }
        Raw(output, "\""u8);
        var rest = utf8;
        while (true)
        {
            int k = rest.IndexOfAny(JsonEscaped);
            if (k < 0) break;
            Raw(output, rest[..k]);
            switch (rest[k])
            {
                case (byte)'"': Raw(output, "\\\""u8); break;
                case (byte)'\\': Raw(output, "\\\\"u8); break;
                case (byte)'\n': Raw(output, "\\n"u8); break;
                case (byte)'\r': Raw(output, "\\r"u8); break;
                case (byte)'\t': Raw(output, "\\t"u8); break;
                case (byte)'\b': Raw(output, "\\b"u8); break;
                case (byte)'\f': Raw(output, "\\f"u8); break;
                default: Ascii(output, "\\u" + rest[k].ToString("x4", CultureInfo.InvariantCulture)); break;
            }
            rest = rest[(k + 1)..];
        }
        Raw(output, rest);
        Raw(output, "\""u8);
    }

    // The bytes WriteString escapes: control characters, the quote and the backslash.
    private static readonly SearchValues<byte> JsonEscaped =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);
}
