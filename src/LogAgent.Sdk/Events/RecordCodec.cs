using System.Buffers;
using System.Collections;
using System.Text;
using MessagePack;

namespace LogAgent.Sdk.Events;

/// <summary>
/// Converts records to and from msgpack without reflection: a record is a map with string keys and the
/// value types listed on <see cref="Record"/>. Map keys that are not strings (allowed by msgpack, sent by
/// nobody we know) are converted to their string form rather than rejected.
/// </summary>
public static class RecordCodec
{
    public static Record Decode(ReadOnlyMemory<byte> msgpack)
    {
        var reader = new MessagePackReader(msgpack);
        return ReadRecord(ref reader);
    }

    /// <summary>
    /// One field of a record still in msgpack form: what <c>Decode(msgpack).TryGetValue(key, out value)</c> gives
    /// (the last of repeated keys, as the dictionary keeps it), without building the record — for a plugin that needs
    /// one key of every event (a partition key) and formats the rest straight from the bytes.
    /// </summary>
    public static bool TryReadField(ReadOnlyMemory<byte> msgpack, string key, out object? value)
    {
        var reader = new MessagePackReader(msgpack);
        if (reader.NextMessagePackType != MessagePackType.Map)
            throw new MessagePackSerializationException($"a record must be a map, got {reader.NextMessagePackType}");
        int count = reader.ReadMapHeader();
        // Called for every event (a partition key): the key's bytes go on the stack, not into an array per call.
        Span<byte> wanted = key.Length <= 128 ? stackalloc byte[key.Length * 3] : new byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
        wanted = wanted[..Encoding.UTF8.GetBytes(key, wanted)];
        long found = -1;
        for (int i = 0; i < count; i++)
        {
            var name = reader.NextMessagePackType == MessagePackType.String ? reader.ReadStringSequence() : null;
            // A key that is not a valid UTF-8 string is compared as Decode would make it: decode the record.
            if (name is not { IsSingleSegment: true } || !System.Text.Unicode.Utf8.IsValid(name.Value.FirstSpan))
                return Decode(msgpack).TryGetValue(key, out value);
            if (name.Value.FirstSpan.SequenceEqual(wanted)) found = reader.Consumed;
            reader.Skip();
        }
        value = null;
        if (found < 0) return false;
        var at = new MessagePackReader(msgpack[(int)found..]);
        value = ReadValue(ref at);
        return true;
    }

    public static Record ReadRecord(ref MessagePackReader reader)
    {
        if (reader.NextMessagePackType != MessagePackType.Map)
            throw new MessagePackSerializationException($"a record must be a map, got {reader.NextMessagePackType}");
        int count = reader.ReadMapHeader();
        var record = new Record(count);
        for (int i = 0; i < count; i++)
        {
            string key = reader.NextMessagePackType == MessagePackType.String
                ? reader.ReadString()!
                : Convert.ToString(ReadValue(ref reader), System.Globalization.CultureInfo.InvariantCulture) ?? "";
            record[key] = ReadValue(ref reader);
        }
        return record;
    }

    public static object? ReadValue(ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil: reader.ReadNil(); return null;
            case MessagePackType.Boolean: return reader.ReadBoolean();
            case MessagePackType.Integer:
                return reader.NextCode == MessagePackCode.UInt64 ? ReadUnsigned(ref reader) : reader.ReadInt64();
            case MessagePackType.Float: return reader.ReadDouble();
            case MessagePackType.String: return reader.ReadString();
            case MessagePackType.Binary: return reader.ReadBytes()?.ToArray();
            case MessagePackType.Array:
                {
                    int n = reader.ReadArrayHeader();
                    var list = new List<object?>(n);
                    for (int i = 0; i < n; i++) list.Add(ReadValue(ref reader));
                    return list;
                }
            case MessagePackType.Map: return ReadRecord(ref reader);
            case MessagePackType.Extension:
                {
                    var peek = reader.CreatePeekReader();
                    var header = peek.ReadExtensionFormatHeader();
                    if (header.TypeCode == EventTime.ExtType && header.Length == 8) return EventTime.ReadFrom(ref reader);
                    var ext = reader.ReadExtensionFormat();
                    return ext.Data.ToArray();
                }
            default: throw new MessagePackSerializationException($"unsupported msgpack type {reader.NextMessagePackType}");
        }
    }

    private static object ReadUnsigned(ref MessagePackReader reader)
    {
        ulong value = reader.ReadUInt64();
        return value <= long.MaxValue ? (long)value : value;
    }

    public static byte[] Encode(Record record)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        WriteValue(ref writer, record);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteValue(ref MessagePackWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNil(); break;
            case string s: writer.Write(s); break;
            case bool b: writer.Write(b); break;
            case long l: writer.Write(l); break;
            case int i: writer.Write(i); break;
            case ulong ul: writer.Write(ul); break;
            case uint ui: writer.Write(ui); break;
            case short sh: writer.Write(sh); break;
            case byte by: writer.Write(by); break;
            case double d: writer.Write(d); break;
            case float f: writer.Write(f); break;
            case decimal m: writer.Write((double)m); break;
            case byte[] bytes: writer.Write(bytes); break;
            case EventTime t: t.WriteTo(ref writer); break;
            case DateTimeOffset dto: writer.Write(dto.ToString("o")); break;
            case DateTime dt: writer.Write(dt.ToString("o")); break;
            case Record record:
                // Record's own struct enumerator: through IDictionary every field costs a boxed enumerator's interface calls.
                writer.WriteMapHeader(record.Count);
                foreach (var kv in record) { writer.Write(kv.Key); WriteValue(ref writer, kv.Value); }
                break;
            case IDictionary<string, object?> map:
                writer.WriteMapHeader(map.Count);
                foreach (var kv in map) { writer.Write(kv.Key); WriteValue(ref writer, kv.Value); }
                break;
            case IDictionary dict:
                writer.WriteMapHeader(dict.Count);
                foreach (DictionaryEntry kv in dict) { writer.Write(Convert.ToString(kv.Key, System.Globalization.CultureInfo.InvariantCulture)); WriteValue(ref writer, kv.Value); }
                break;
            case IList list:
                writer.WriteArrayHeader(list.Count);
                foreach (var item in list) WriteValue(ref writer, item);
                break;
            default: writer.Write(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>Writes a string key/value as raw UTF-8 without an intermediate string, for the hot path.</summary>
    public static void WriteStringUtf8(ref MessagePackWriter writer, ReadOnlySpan<byte> utf8)
    {
        writer.WriteStringHeader(utf8.Length);
        writer.WriteRaw(utf8);
    }

    internal static readonly Encoding Utf8 = new UTF8Encoding(false);
}
