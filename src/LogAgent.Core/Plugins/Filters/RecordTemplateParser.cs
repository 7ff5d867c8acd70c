using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// Turns a record_transformer <c>&lt;record&gt;</c> value into a <see cref="RecordTemplate"/>, following
/// filter_record_transformer.rb: a value starting with <c>{</c> or <c>[</c> is JSON (kept as a string when it does
/// not parse), and every string inside is a template. Without enable_ruby, placeholders are what fluentd's
/// PlaceholderExpander matches, <c>${...}</c> up to the first <c>}</c> or <c>__NAME__</c>; with enable_ruby they are
/// Ruby expressions, of which only <see cref="RubyAccessExpression"/> is supported.
/// </summary>
public sealed class RecordTemplateParser(bool enableRuby, bool autoTypecast)
{
    // PlaceholderExpander#expand: /(\${[^}]+}|__[A-Z_]+__)/.
    private static readonly Regex TablePlaceholder = new(@"\$\{[^}]+\}|__[A-Z_]+__", RegexOptions.CultureInvariant);

    /// <summary>Raised for an enable_ruby expression outside the supported subset; the filter adds the location.</summary>
    public sealed class UnsupportedExpressionException(string expression, string value)
        : Exception($"enable_ruby expression `{expression}` in `{value}` is not supported: LogAgent does not run arbitrary Ruby. "
            + "Supported: tag, time, hostname, tag_parts[N], tag_prefix[N], tag_suffix[N] and record[\"key\"] with further [\"key\"] or [N] indexes")
    {
        public string Expression { get; } = expression;
    }

    /// <summary>A <c>&lt;record&gt;</c> value. <paramref name="jsonError"/> is set when it looked like JSON but did not parse.</summary>
    public RecordTemplate ParseValue(string value, out string? jsonError)
    {
        jsonError = null;
        if (value.StartsWith('{') || value.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(value);
                return FromJson(document.RootElement);
            }
            catch (JsonException e)
            {
                // fluentd: "failed to parse ... as json. Assuming ... is a string".
                jsonError = e.Message;
            }
        }
        return ParseString(value, forceStringify: false);
    }

    /// <summary>A string template; <paramref name="forceStringify"/> for map keys, which never keep a placeholder's type.</summary>
    public StringTemplate ParseString(string value, bool forceStringify) =>
        enableRuby ? ParseRubyString(value, forceStringify) : ParseTableString(value, forceStringify);

    private StringTemplate ParseTableString(string value, bool forceStringify)
    {
        var parts = new List<object>();
        int at = 0;
        foreach (Match m in TablePlaceholder.Matches(value))
        {
            if (m.Index > at) parts.Add(value[at..m.Index]);
            parts.Add(RecordPlaceholder.ForTable(m.Value));
            at = m.Index + m.Length;
        }
        if (at < value.Length) parts.Add(value[at..]);
        bool single = parts.Count == 1 && parts[0] is RecordPlaceholder;
        return new StringTemplate(parts, keepsType: autoTypecast && !forceStringify && single);
    }

    private StringTemplate ParseRubyString(string value, bool forceStringify)
    {
        // RubyPlaceholderExpander#preprocess_map: exactly one "${", at the start, and the value ends with "}":
        // the whole value is one expression whose result keeps its type.
        if (autoTypecast && !forceStringify && CountOccurrences(value, "${") == 1
            && value.StartsWith("${", StringComparison.Ordinal) && value.EndsWith('}'))
        {
            var expression = value[2..^1];
            return new StringTemplate(new object[] { RubyPlaceholder(value, expression, value) }, keepsType: true);
        }

        // Otherwise fluentd evaluates %Q[...] with each ${ turned into #{: literal text with interpolations.
        var parts = new List<object>();
        int i = 0, literalStart = 0;
        while (i < value.Length)
        {
            int open = value.IndexOf("${", i, StringComparison.Ordinal);
            if (open < 0) break;
            int close = FindInterpolationEnd(value, open + 2);
            if (close < 0) throw new UnsupportedExpressionException(value[(open + 2)..], value);
            if (open > literalStart) parts.Add(RubyLiteral(value[literalStart..open], value));
            parts.Add(RubyPlaceholder(value[open..(close + 1)], value[(open + 2)..close], value));
            i = literalStart = close + 1;
        }
        if (literalStart < value.Length) parts.Add(RubyLiteral(value[literalStart..], value));
        return new StringTemplate(parts, keepsType: false);
    }

    private static RecordPlaceholder RubyPlaceholder(string text, string expression, string value) =>
        RecordPlaceholder.ForRuby(text, expression) ?? throw new UnsupportedExpressionException(expression, value);

    // Inside %Q[...] Ruby would also evaluate a literal #{...}; refusing it beats emitting the wrong text.
    private static string RubyLiteral(string literal, string value) =>
        literal.Contains("#{", StringComparison.Ordinal) ? throw new UnsupportedExpressionException(literal, value) : literal;

    // The } that closes an interpolation, skipping nested braces and quoted strings as Ruby's parser would.
    private static int FindInterpolationEnd(string value, int start)
    {
        int depth = 0;
        for (int i = start; i < value.Length; i++)
        {
            char c = value[i];
            if (c is '"' or '\'')
            {
                char quote = c;
                for (i++; i < value.Length && value[i] != quote; i++)
                    if (value[i] == '\\') i++;
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}')
            {
                if (depth == 0) return i;
                depth--;
            }
        }
        return -1;
    }

    private static int CountOccurrences(string s, string what)
    {
        int count = 0;
        for (int i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private RecordTemplate FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var entries = new List<(StringTemplate, RecordTemplate)>();
                foreach (var property in element.EnumerateObject())
                    entries.Add((ParseString(property.Name, forceStringify: true), FromJson(property.Value)));
                return new MapTemplate(entries);
            case JsonValueKind.Array:
                return new ListTemplate(element.EnumerateArray().Select(FromJson).ToList());
            case JsonValueKind.String:
                return ParseString(element.GetString()!, forceStringify: false);
            case JsonValueKind.Number:
                return new ConstantTemplate(JsonNumber(element));
            case JsonValueKind.True:
                return new ConstantTemplate(true);
            case JsonValueKind.False:
                return new ConstantTemplate(false);
            default:
                return new ConstantTemplate(null);
        }
    }

    // Ruby's JSON gives an Integer for a number without fraction or exponent, a Float otherwise.
    private static object JsonNumber(JsonElement element)
    {
        var raw = element.GetRawText();
        if (raw.IndexOfAny(new[] { '.', 'e', 'E' }) < 0)
        {
            if (element.TryGetInt64(out var l)) return l;
            if (element.TryGetUInt64(out var ul)) return ul;
        }
        return double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
    }
}
