using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using LogAgent.Sdk.Events;
using MessagePack;

namespace LogAgent.Sdk.Text;

/// <summary>
/// Records to and from JSON as fluentd produces and reads them: the one JSON conversion for formatters, parsers,
/// inputs and output plugins. Writing matches Oj/Yajl's compact output
/// (<c>{"a":1,"b":"x"}</c>, no spaces, non-ASCII written as UTF-8, only <c>"</c>, <c>\</c> and control characters
/// escaped; floats as Ruby prints them; an EventTime as its seconds, Fluent::EventTime#to_json). NaN and
/// infinities, which JSON cannot carry, are written as null. Reading keeps integers as long (ulong when larger)
/// and numbers with a fraction or exponent as double, so <c>1</c> and <c>1.0</c> stay apart as in Ruby.
/// </summary>
public static partial class RecordJson
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    public static string Serialize(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, value);
        return Utf8.GetString(buffer.WrittenSpan);
    }

    public static void Write(IBufferWriter<byte> output, object? value)
    {
        switch (value)
        {
            case null: Raw(output, "null"u8); break;
            case string s: WriteString(output, s); break;
            case bool b: Raw(output, b ? "true"u8 : "false"u8); break;
            case long l: Ascii(output, l.ToString(CultureInfo.InvariantCulture)); break;
            case int i: Ascii(output, i.ToString(CultureInfo.InvariantCulture)); break;
            case ulong ul: Ascii(output, ul.ToString(CultureInfo.InvariantCulture)); break;
            case uint ui: Ascii(output, ui.ToString(CultureInfo.InvariantCulture)); break;
            case double d: WriteDouble(output, d); break;
            case float f: WriteDouble(output, f); break;
            case EventTime t: Ascii(output, t.Seconds.ToString(CultureInfo.InvariantCulture)); break;
            case byte[] bytes: WriteString(output, Utf8.GetString(bytes)); break;
            case IDictionary<string, object?> map:
                {
                    Raw(output, "{"u8);
                    bool first = true;
                    foreach (var kv in map) WriteMember(output, ref first, kv.Key, kv.Value);
                    Raw(output, "}"u8);
                    break;
                }
            // Maps with other keys (from plugins; decoded records always have string keys) key by the key's to_s.
            case IDictionary dict:
                {
                    Raw(output, "{"u8);
                    bool first = true;
                    foreach (DictionaryEntry kv in dict) WriteMember(output, ref first, RubyValueText.ToS(kv.Key), kv.Value);
                    Raw(output, "}"u8);
                    break;
                }
            case IList list:
                {
                    Raw(output, "["u8);
                    for (int i = 0; i < list.Count; i++)
                    {
                        if (i > 0) Raw(output, ","u8);
                        Write(output, list[i]);
                    }
                    Raw(output, "]"u8);
                    break;
                }
            default: WriteString(output, RubyValueText.ToS(value)); break;
        }
    }

    private static void WriteMember(IBufferWriter<byte> output, ref bool first, string key, object? value)
    {
        if (!first) Raw(output, ","u8);
        first = false;
        WriteString(output, key);
        Raw(output, ":"u8);
        Write(output, value);
    }

    private static void WriteDouble(IBufferWriter<byte> output, double d)
    {
        if (!double.IsFinite(d)) Raw(output, "null"u8);
        else Ascii(output, RubyFloat.ToS(d));
    }

    public static void WriteString(IBufferWriter<byte> output, string s)
    {
        Raw(output, "\""u8);
        int runStart = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c >= 0x20 && c != '"' && c != '\\') continue;
            Utf8Run(output, s.AsSpan(runStart, i - runStart));
            switch (c)
            {
                case '"': Raw(output, "\\\""u8); break;
                case '\\': Raw(output, "\\\\"u8); break;
                case '\n': Raw(output, "\\n"u8); break;
                case '\r': Raw(output, "\\r"u8); break;
                case '\t': Raw(output, "\\t"u8); break;
                case '\b': Raw(output, "\\b"u8); break;
                case '\f': Raw(output, "\\f"u8); break;
                default: Ascii(output, "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
            }
            runStart = i + 1;
        }
        Utf8Run(output, s.AsSpan(runStart));
        Raw(output, "\""u8);
    }

    private static void Utf8Run(IBufferWriter<byte> output, ReadOnlySpan<char> run)
    {
        if (run.IsEmpty) return;
        var span = output.GetSpan(Utf8.GetMaxByteCount(run.Length));
        output.Advance(Utf8.GetBytes(run, span));
    }

    private static void Raw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private static void Ascii(IBufferWriter<byte> output, string ascii)
    {
        var span = output.GetSpan(ascii.Length);
        for (int i = 0; i < ascii.Length; i++) span[i] = (byte)ascii[i];
        output.Advance(ascii.Length);
    }

    // ---------------------------------------------------------------- reading

    /// <summary>Reads a JSON text; false when it is not valid JSON. The value may be any JSON value.</summary>
    public static bool TryParse(string json, out object? value)
    {
        try
        {
            value = Parse(json);
            return true;
        }
        catch (JsonException)
        {
            value = null;
            return false;
        }
    }

    /// <summary>
    /// Reads a JSON text into record values (a JSON object is a <see cref="Record"/>, an array a list); throws
    /// <see cref="JsonException"/> saying what is wrong when it is not valid JSON. Comments are skipped, as Ruby's
    /// JSON.parse skips them.
    /// </summary>
    public static object? Parse(string json)
    {
        var bytes = Utf8.GetBytes(json);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!reader.Read()) throw new JsonException("no JSON value");
        var value = ReadValue(ref reader);
        if (reader.Read()) throw new JsonException($"text after the JSON value (at byte {reader.TokenStartIndex})");
        return value;
    }

    private static object? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                {
                    var record = new Record();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                    {
                        var key = reader.GetString()!;
                        reader.Read();
                        record[key] = ReadValue(ref reader);
                    }
                    return record;
                }
            case JsonTokenType.StartArray:
                {
                    var list = new List<object?>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        list.Add(ReadValue(ref reader));
                    return list;
                }
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.Null: return null;
            case JsonTokenType.Number:
                {
                    // The reader is over one contiguous array, so the number is never a multi-segment sequence.
                    bool integral = reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0;
                    if (integral && reader.TryGetInt64(out var l)) return l;
                    if (integral && reader.TryGetUInt64(out var ul)) return ul;
                    return reader.GetDouble();
                }
            default:
                throw new JsonException($"unexpected JSON token {reader.TokenType}");
        }
    }
}
