using System.Globalization;
using System.Text;
using System.Text.Json;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Config;

/// <summary>
/// A config value written as JSON (<c>sample {"a": 1}</c>, <c>matches [ … ]</c>). fluentd parses it with Ruby's
/// <c>JSON.parse</c>, which skips <c>/* */</c> and <c>//</c> comments but rejects trailing commas, and stores
/// <c>JSON.dump</c> of the result, so the value a plugin receives is compact re-serialised JSON
/// (lib/fluent/config/literal_parser.rb, scan_json).
/// </summary>
internal static class JsonLiteral
{
    private static readonly JsonDocumentOptions ParseOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = false,
        MaxDepth = 256,
    };

    /// <summary>Parses <paramref name="text"/> as one JSON value; on success returns it as Ruby's JSON.dump writes it.</summary>
    public static bool TryParse(string text, out string dumped)
    {
        dumped = "";
        try
        {
            using var doc = JsonDocument.Parse(text, ParseOptions);
            var sb = new StringBuilder();
            Dump(doc.RootElement, sb);
            dumped = sb.ToString();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Writes a YAML-built value (dictionary, list, string, number, bool, null) as Ruby's <c>to_json</c> would.</summary>
    public static string Dump(object? value)
    {
        var sb = new StringBuilder();
        DumpObject(value, sb);
        return sb.ToString();
    }

    private static void DumpObject(object? value, StringBuilder sb)
    {
        switch (value)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case string s: WriteString(s, sb); break;
            case long or int: sb.Append(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(RubyFloat.ToS(d)); break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                sb.Append('{');
                bool firstPair = true;
                foreach (var (k, v) in map)
                {
                    if (!firstPair) sb.Append(',');
                    firstPair = false;
                    WriteString(k, sb);
                    sb.Append(':');
                    DumpObject(v, sb);
                }
                sb.Append('}');
                break;
            case IEnumerable<object?> list:
                sb.Append('[');
                bool firstItem = true;
                foreach (var item in list)
                {
                    if (!firstItem) sb.Append(',');
                    firstItem = false;
                    DumpObject(item, sb);
                }
                sb.Append(']');
                break;
            default: WriteString(value.ToString() ?? "", sb); break;
        }
    }

    private static void Dump(JsonElement e, StringBuilder sb)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                // Ruby hashes keep the first position of a repeated key and the last value.
                var members = new List<KeyValuePair<string, JsonElement>>();
                var index = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var p in e.EnumerateObject())
                {
                    if (index.TryGetValue(p.Name, out var at)) members[at] = new(p.Name, p.Value);
                    else { index[p.Name] = members.Count; members.Add(new(p.Name, p.Value)); }
                }
                sb.Append('{');
                for (int i = 0; i < members.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteString(members[i].Key, sb);
                    sb.Append(':');
                    Dump(members[i].Value, sb);
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                bool first = true;
                foreach (var item in e.EnumerateArray())
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Dump(item, sb);
                }
                sb.Append(']');
                break;
            case JsonValueKind.String: WriteString(e.GetString()!, sb); break;
            case JsonValueKind.Number: WriteNumber(e.GetRawText(), sb); break;
            case JsonValueKind.True: sb.Append("true"); break;
            case JsonValueKind.False: sb.Append("false"); break;
            default: sb.Append("null"); break;
        }
    }

    // Ruby's JSON.parse makes an Integer of a number without '.', 'e' or 'E' (any size), a Float otherwise.
    private static void WriteNumber(string raw, StringBuilder sb)
    {
        if (raw.IndexOfAny(['.', 'e', 'E']) < 0)
        {
            sb.Append(raw == "-0" ? "0" : raw);
            return;
        }
        sb.Append(RubyFloat.ToS(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)));
    }

    // Ruby's generator escapes '"', '\\' and control characters only; '/' and non-ASCII text stay as they are, which is
    // how RecordJson writes a string too.
    private static void WriteString(string s, StringBuilder sb) => sb.Append(RecordJson.Serialize(s));
}
