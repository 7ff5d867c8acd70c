using System.Collections;
using System.Globalization;
using System.Text;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// The part of Ruby that record_transformer's <c>enable_ruby</c> configs use for data access, without a Ruby
/// interpreter: a name (<c>tag</c>, <c>time</c>, <c>hostname</c>, <c>record</c>, <c>tag_parts</c>,
/// <c>tag_prefix</c>, <c>tag_suffix</c>) followed by any number of <c>["key"]</c>, <c>['key']</c> or <c>[N]</c>
/// indexes, evaluated with Ruby's <c>[]</c> semantics. Anything else is not parsed, so the filter can refuse it
/// at configuration time instead of silently mis-evaluating it.
/// </summary>
public sealed class RubyAccessExpression
{
    private static readonly string[] Names = { "tag", "time", "hostname", "record", "tag_parts", "tag_prefix", "tag_suffix" };

    private RubyAccessExpression(string text, string name, object[] indexes)
    {
        Text = text;
        Name = name;
        Indexes = indexes;
    }

    public string Text { get; }
    public string Name { get; }

    /// <summary>The indexes applied in order: strings and ints.</summary>
    public IReadOnlyList<object> Indexes { get; }

    public static bool TryParse(string text, out RubyAccessExpression? expression)
    {
        expression = null;
        int i = 0;
        SkipSpaces(text, ref i);
        int start = i;
        while (i < text.Length && (char.IsAsciiLetterLower(text[i]) || text[i] == '_')) i++;
        var name = text[start..i];
        if (!Names.Contains(name)) return false;
        var indexes = new List<object>();
        while (true)
        {
            SkipSpaces(text, ref i);
            if (i >= text.Length) break;
            if (text[i] != '[') return false;
            i++;
            SkipSpaces(text, ref i);
            if (i >= text.Length) return false;
            if (text[i] is '"' or '\'')
            {
                if (!TryReadString(text, ref i, out var key)) return false;
                indexes.Add(key);
            }
            else
            {
                int numberStart = i;
                if (text[i] == '-') i++;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                if (!int.TryParse(text.AsSpan(numberStart, i - numberStart), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
                    return false;
                indexes.Add(index);
            }
            SkipSpaces(text, ref i);
            if (i >= text.Length || text[i] != ']') return false;
            i++;
        }
        expression = new RubyAccessExpression(text, name, indexes.ToArray());
        return true;
    }

    /// <summary>Evaluates as Ruby would: indexing nil or a value without <c>[]</c> throws (NoMethodError/TypeError).</summary>
    public object? Evaluate(PlaceholderScope scope)
    {
        object? value = Root(scope);
        foreach (var index in Indexes) value = Index(value, index);
        return value;
    }

    private object? Root(PlaceholderScope scope) => Name switch
    {
        "tag" => scope.Tag,
        // fluentd's Ruby expander passes a Time object; its to_s is what ends up in records, so the text is used.
        "time" => scope.TimeText,
        "hostname" => scope.Hostname,
        "record" => scope.Record,
        "tag_parts" => scope.TagParts,
        "tag_prefix" => scope.TagPrefix,
        "tag_suffix" => scope.TagSuffix,
        _ => throw new InvalidOperationException($"unknown name {Name}"),
    };

    private static object? Index(object? target, object index)
    {
        switch (target)
        {
            case null:
                throw new InvalidOperationException($"undefined method '[]' for nil (indexing with {RubyValueText.Inspect(index)})");
            case IDictionary<string, object?> map:
                return index is string key && map.TryGetValue(key, out var value) ? value : null;
            case IList list:
                if (index is not int i) throw new InvalidOperationException("no implicit conversion of String into Integer");
                if (i < 0) i += list.Count;
                return i >= 0 && i < list.Count ? list[i] : null;
            case string s:
                // String#[]: a string index returns itself when contained, an integer index one character.
                if (index is string sub) return s.Contains(sub, StringComparison.Ordinal) ? sub : null;
                int at = (int)index;
                if (at < 0) at += s.Length;
                return at >= 0 && at < s.Length ? s[at].ToString() : null;
            case long n when index is int bit:
                // Integer#[] reads one bit.
                return bit < 0 ? 0L : bit >= 64 ? (n < 0 ? 1L : 0L) : (n >> bit) & 1L;
            default:
                throw new InvalidOperationException($"undefined method '[]' for {RubyText.RubyClassName(target)}");
        }
    }

    private static void SkipSpaces(string text, ref int i)
    {
        while (i < text.Length && text[i] is ' ' or '\t') i++;
    }

    // A Ruby string literal without interpolation: "..." with backslash escapes, '...' with \' and \\ only.
    private static bool TryReadString(string text, ref int i, out string value)
    {
        char quote = text[i++];
        var sb = new StringBuilder();
        value = "";
        while (i < text.Length)
        {
            char c = text[i++];
            if (c == quote)
            {
                value = sb.ToString();
                return true;
            }
            if (quote == '"' && c == '#' && i < text.Length && text[i] is '{' or '@' or '$') return false;
            if (c != '\\' || i >= text.Length)
            {
                sb.Append(c);
                continue;
            }
            char e = text[i++];
            if (quote == '\'')
            {
                if (e is not ('\'' or '\\')) sb.Append('\\');
                sb.Append(e);
                continue;
            }
            sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', 'e' => '\u001b', 's' => ' ', _ => e });
        }
        return false;
    }
}
