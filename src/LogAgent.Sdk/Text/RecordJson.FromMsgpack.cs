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
    /// written for a record that must take the decoded path. The write fills one span asked of the output up front
    /// (<see cref="JsonSpan"/>), sized for the worst case, instead of an interface call per token.
    /// </remarks>
    public static bool TryWriteMsgpack(IBufferWriter<byte> output, ReadOnlyMemory<byte> recordMsgpack)
    {
        var record = recordMsgpack.Span;
        var check = new MsgpackCursor(record);
        if (!check.IsMap || !CanTranscode(ref check, record, 0) || !check.AtEnd) return false; // malformed: the decoded path reports it
        var reader = new MsgpackCursor(record);
        var json = new JsonSpan(output.GetSpan(JsonSpan.MostBytesFor(record.Length)));
        Transcode(ref json, ref reader);
        output.Advance(json.Length);
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
                return CanTranscodeMap(ref reader, item.Length, whole, depth);
            default:
                return false;
        }
    }

    // Apart from CanTranscode so that only maps pay for the keys' stack space.
    private static bool CanTranscodeMap(ref MsgpackCursor reader, int n, ReadOnlySpan<byte> whole, int depth)
    {
        if (n > 32) return false; // a very wide map: not worth checking for repeats here
        // Where each key is in the record (32 × 64 levels × 8 bytes at most on the stack).
        Span<Range> keys = stackalloc Range[n];
        for (int i = 0; i < n; i++)
        {
            if (!reader.TryReadHeader(out var key) || key.Kind != MsgpackKind.String) return false;
            int start = reader.Position;
            if (!reader.TrySkipBytes(key.Length)) return false;
            var name = whole[start..reader.Position];
            if (!System.Text.Unicode.Utf8.IsValid(name)) return false;
            for (int k = 0; k < i; k++)
                if (name.SequenceEqual(whole[keys[k]])) return false;
            keys[i] = start..reader.Position;
            if (!CanTranscode(ref reader, whole, depth + 1)) return false;
        }
        return true;
    }

    /// <summary>Writes one value that <see cref="CanTranscode"/> accepted.</summary>
    private static void Transcode(ref JsonSpan json, ref MsgpackCursor reader)
    {
        reader.TryReadHeader(out var item);
        switch (item.Kind)
        {
            case MsgpackKind.Nil: json.Raw("null"u8); break;
            case MsgpackKind.Boolean: json.Raw(item.Boolean ? "true"u8 : "false"u8); break;
            case MsgpackKind.Integer:
                if (item.IsLargeUnsigned) json.Number((ulong)item.Integer);
                else json.Number(item.Integer);
                break;
            case MsgpackKind.Float:
                if (double.IsFinite(item.Float)) json.Ascii(RubyFloat.ToS(item.Float));
                else json.Raw("null"u8);
                break;
            case MsgpackKind.String: json.String(reader.ReadBytes(item.Length)); break;
            case MsgpackKind.Binary: json.String(Utf8.GetBytes(Utf8.GetString(reader.ReadBytes(item.Length)))); break;
            case MsgpackKind.EventTime:
                json.Number(BinaryPrimitives.ReadUInt32BigEndian(reader.ReadBytes(8))); // Fluent::EventTime#to_json: the seconds
                break;
            case MsgpackKind.Array:
                json.Byte((byte)'[');
                for (int i = 0; i < item.Length; i++)
                {
                    if (i > 0) json.Byte((byte)',');
                    Transcode(ref json, ref reader);
                }
                json.Byte((byte)']');
                break;
            default: // Map
                json.Byte((byte)'{');
                for (int i = 0; i < item.Length; i++)
                {
                    if (i > 0) json.Byte((byte)',');
                    reader.TryReadHeader(out var key);
                    json.String(reader.ReadBytes(key.Length));
                    json.Byte((byte)':');
                    Transcode(ref json, ref reader);
                }
                json.Byte((byte)'}');
                break;
        }
    }

    /// <summary>
    /// JSON written into one span. <see cref="MostBytesFor"/> bounds what a msgpack value can become: each input
    /// byte at most 6 output bytes (a control character's <c>\u00XX</c>; a nil's <c>null,</c> is 5; an invalid UTF-8
    /// byte's U+FFFD is 3; a float's ≤ 24 characters come from 5 or 9 bytes), plus a margin.
    /// </summary>
    private ref struct JsonSpan(Span<byte> span)
    {
        private readonly Span<byte> _span = span;

        public static int MostBytesFor(int msgpackLength) => checked(msgpackLength * 6 + 32);

        public int Length { get; private set; }

        public void Byte(byte b) => _span[Length++] = b;

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_span[Length..]);
            Length += bytes.Length;
        }

        public void Ascii(string ascii)
        {
            for (int i = 0; i < ascii.Length; i++) _span[Length + i] = (byte)ascii[i];
            Length += ascii.Length;
        }

        public void Number(long value)
        {
            value.TryFormat(_span[Length..], out int written, default, CultureInfo.InvariantCulture);
            Length += written;
        }

        public void Number(ulong value)
        {
            value.TryFormat(_span[Length..], out int written, default, CultureInfo.InvariantCulture);
            Length += written;
        }

        /// <summary>
        /// <see cref="WriteString"/> for text already in UTF-8: the characters it escapes are all ASCII, and no byte of
        /// a multi-byte UTF-8 sequence is ASCII, so escaping byte by byte gives the same bytes. Text that is not valid
        /// UTF-8 is decoded first, as msgpack's string reader does (invalid bytes become U+FFFD).
        /// </summary>
        public void String(ReadOnlySpan<byte> utf8)
        {
            if (!System.Text.Unicode.Utf8.IsValid(utf8)) utf8 = Utf8.GetBytes(Utf8.GetString(utf8));
            Byte((byte)'"');
            while (true)
            {
                int k = utf8.IndexOfAny(JsonEscaped);
                if (k < 0) break;
                Raw(utf8[..k]);
                switch (utf8[k])
                {
                    case (byte)'"': Raw("\\\""u8); break;
                    case (byte)'\\': Raw("\\\\"u8); break;
                    case (byte)'\n': Raw("\\n"u8); break;
                    case (byte)'\r': Raw("\\r"u8); break;
                    case (byte)'\t': Raw("\\t"u8); break;
                    case (byte)'\b': Raw("\\b"u8); break;
                    case (byte)'\f': Raw("\\f"u8); break;
                    default: Ascii("\\u" + utf8[k].ToString("x4", CultureInfo.InvariantCulture)); break;
                }
                utf8 = utf8[(k + 1)..];
            }
            Raw(utf8);
            Byte((byte)'"');
        }
    }

    // The bytes WriteString escapes: control characters, the quote and the backslash.
    private static readonly SearchValues<byte> JsonEscaped =
        SearchValues.Create([.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\']);
}
