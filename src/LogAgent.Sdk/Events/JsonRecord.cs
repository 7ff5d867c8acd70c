using System.Text.Json;

namespace LogAgent.Sdk.Events;

/// <summary>Converts between JSON and record values (JSON integers stay long, other numbers double).</summary>
public static class JsonRecord
{
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToRecord(element),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static Record ToRecord(JsonElement element)
    {
        var record = new Record();
        foreach (var p in element.EnumerateObject()) record[p.Name] = FromJson(p.Value);
        return record;
    }

    /// <summary>Parses a JSON object into a record; throws <see cref="JsonException"/> when it is not one.</summary>
    public static Record Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("not a JSON object");
        return ToRecord(doc.RootElement);
    }

    /// <summary>Writes a record value as JSON: byte[] as a UTF-8 string (as fluentd's to_json does), EventTime as float seconds.</summary>
    public static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long l: writer.WriteNumberValue(l); break;
            case int i: writer.WriteNumberValue(i); break;
            case ulong ul: writer.WriteNumberValue(ul); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case double d: writer.WriteStringValue(d.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case float f: writer.WriteNumberValue(f); break;
            case byte[] bytes: writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(bytes)); break;
            case EventTime t: writer.WriteNumberValue(t.ToUnixSeconds()); break;
            case IDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var kv in map) { writer.WritePropertyName(kv.Key); Write(writer, kv.Value); }
                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                writer.WriteStartArray();
                foreach (var item in list) Write(writer, item);
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    private static readonly JsonWriterOptions Options = new()
    {
        // fluentd's JSON keeps non-ASCII characters as they are (Yajl / JSON.generate), not \u escapes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(System.Buffers.IBufferWriter<byte> output, Record record)
    {
        using var writer = new Utf8JsonWriter(output, Options);
        Write(writer, record);
    }

    public static string ToJson(Record record)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        Write(buffer, record);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
