using System.Globalization;
using System.Text.Json;

namespace LogAgent.Core.Config;

/// <summary>
/// Reads parameter text the way fluentd's config types do (lib/fluent/config/types.rb): sizes, times, bools,
/// arrays and hashes. Each method throws <see cref="FormatException"/> whose message is the reason, for the
/// caller to wrap with the file and line.
/// </summary>
public static class ConfigValues
{
    /// <summary><c>512</c>, <c>8k</c>, <c>8m</c>, <c>1g</c>, <c>1t</c> (case-insensitive, 1024-based; a trailing <c>b</c> as in <c>8kb</c> is accepted).</summary>
    public static long ParseSize(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s.EndsWith("b") && s.Length > 1 && char.IsLetter(s[^2])) s = s[..^1];
        long multiplier = 1;
        if (s.Length > 0)
        {
            switch (s[^1])
            {
                case 'k': multiplier = 1L << 10; break;
                case 'm': multiplier = 1L << 20; break;
                case 'g': multiplier = 1L << 30; break;
                case 't': multiplier = 1L << 40; break;
            }
            if (multiplier != 1) s = s[..^1];
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
            return (long)(n * multiplier);
        throw new FormatException($"'{text}' is not a size (examples: 512, 8k, 8m, 1g)");
    }

    /// <summary><c>30</c>, <c>0.5</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>: seconds as a double.</summary>
    public static double ParseTime(string text)
    {
        var s = text.Trim().ToLowerInvariant();
        double multiplier = 1;
        if (s.Length > 0)
        {
            switch (s[^1])
            {
                case 's': multiplier = 1; s = s[..^1]; break;
                case 'm': multiplier = 60; s = s[..^1]; break;
                case 'h': multiplier = 3600; s = s[..^1]; break;
                case 'd': multiplier = 86400; s = s[..^1]; break;
            }
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
            return n * multiplier;
        // fluentd's Config.time_value matches /([0-9]+)s/, /([0-9]+)m/, … unanchored, so `rotate_wait = 15s` is 15
        // seconds there (corpus 047); the same text means the same here.
        var loose = System.Text.RegularExpressions.Regex.Match(text, "([0-9]+)([smhd])");
        if (loose.Success)
            return double.Parse(loose.Groups[1].Value, CultureInfo.InvariantCulture) * loose.Groups[2].Value[0] switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 86400 };
        throw new FormatException($"'{text}' is not a time (examples: 30, 0.5, 30s, 5m, 1h, 1d)");
    }

    /// <summary>fluentd's bool: true/yes and false/no; an empty value (a bare flag such as <c>enable_ruby</c>) is true.</summary>
    public static bool ParseBool(string text) => text.Trim() switch
    {
        "" or "true" or "yes" => true,
        "false" or "no" => false,
        _ => throw new FormatException($"'{text}' is not a boolean (true, false, yes or no)"),
    };

    public static long ParseInteger(string text)
    {
        if (long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) return n;
        throw new FormatException($"'{text}' is not an integer");
    }

    public static double ParseFloat(string text)
    {
        if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)) return n;
        throw new FormatException($"'{text}' is not a number");
    }

    /// <summary>A JSON array (<c>["a","b"]</c>) or a comma list (<c>a, b</c>).</summary>
    public static string[] ParseArray(string text)
    {
        var s = text.Trim();
        if (s.Length == 0) return Array.Empty<string>();
        if (s.StartsWith('['))
        {
            try
            {
                using var doc = JsonDocument.Parse(s);
                if (doc.RootElement.ValueKind != JsonValueKind.Array) throw new FormatException($"'{text}' is not a JSON array");
                return doc.RootElement.EnumerateArray()
                    .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray();
            }
            catch (JsonException e)
            {
                throw new FormatException($"'{text}' is not a valid JSON array: {e.Message}");
            }
        }
        return s.Split(',').Select(p => p.Trim()).ToArray();
    }

    /// <summary>A JSON object (<c>{"k":"v"}</c>) or <c>k1:v1,k2:v2</c>.</summary>
    public static Dictionary<string, string> ParseHash(string text)
    {
        var s = text.Trim();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (s.Length == 0) return result;
        if (s.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(s);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new FormatException($"'{text}' is not a JSON object");
                foreach (var p in doc.RootElement.EnumerateObject())
                    result[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                return result;
            }
            catch (JsonException e)
            {
                throw new FormatException($"'{text}' is not a valid JSON object: {e.Message}");
            }
        }
        foreach (var pair in s.Split(','))
        {
            int colon = pair.IndexOf(':');
            if (colon < 0) throw new FormatException($"'{pair.Trim()}' in '{text}' is not a key:value pair");
            result[pair[..colon].Trim()] = pair[(colon + 1)..].Trim();
        }
        return result;
    }
}
