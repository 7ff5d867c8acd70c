using System.Collections;
using System.Globalization;
using System.Text;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Text;

/// <summary>
/// A record value as text, as Ruby's <c>to_s</c> and <c>inspect</c> give it to fluentd: nil is empty, strings are
/// themselves, floats as Ruby prints them, an EventTime as its seconds (Fluent::EventTime#to_s).
/// <list type="bullet">
/// <item><see cref="RubyToS"/> is Ruby's own <c>to_s</c>, where a Hash or Array is its <c>inspect</c> form
/// (<c>{"a"=>1}</c>); filters use it because fluentd's grep matches and record_transformer interpolates that text.</item>
/// <item><see cref="ToS"/> is what the text formatters (ltsv, csv, tsv, single_value) and <c>types ...:string</c>
/// write: the same for scalars, but maps and arrays as JSON, since Ruby's inspect form is something nothing downstream
/// can read.</item>
/// </list>
/// Hashes inspect in the Ruby ≤ 3.3 form <c>{"a"=>1}</c> (fluent-package 5 ships Ruby 3.2; Ruby 3.4 added spaces
/// around <c>=&gt;</c>).
/// </summary>
public static class RubyValueText
{
    /// <summary><c>value.to_s</c> with maps and arrays written as JSON (see the type's summary for why).</summary>
    public static string ToS(object? value) => value switch
    {
        // byte[] is an IList, but a String in Ruby.
        byte[] => RubyToS(value),
        IDictionary or IList => RecordJson.Serialize(value),
        _ => RubyToS(value),
    };

    /// <summary><c>value.to_s</c>: nil is empty, strings are themselves, hashes and arrays are their <c>inspect</c>.</summary>
    public static string RubyToS(object? value) => value switch
    {
        null => "",
        string s => s,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        _ => Inspect(value),
    };

    /// <summary><c>value.inspect</c>, as Hash#to_s and Array#to_s print their elements.</summary>
    public static string Inspect(object? value)
    {
        var sb = new StringBuilder();
        AppendInspect(sb, value);
        return sb.ToString();
    }

    private static void AppendInspect(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null: sb.Append("nil"); break;
            case string s: AppendQuoted(sb, s); break;
            case byte[] bytes: AppendQuoted(sb, Encoding.UTF8.GetString(bytes)); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case double d: sb.Append(RubyFloat.ToS(d)); break;
            case float f: sb.Append(RubyFloat.ToS(f)); break;
            // Fluent::EventTime#to_s is its seconds.
            case EventTime t: sb.Append(t.Seconds.ToString(CultureInfo.InvariantCulture)); break;
            case IDictionary<string, object?> map:
                sb.Append('{');
                bool first = true;
                foreach (var kv in map)
                {
                    if (!first) sb.Append(", ");
                    first = false;
                    AppendQuoted(sb, kv.Key);
                    sb.Append("=>");
                    AppendInspect(sb, kv.Value);
                }
                sb.Append('}');
                break;
            case IList list:
                sb.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    AppendInspect(sb, list[i]);
                }
                sb.Append(']');
                break;
            case IFormattable formattable: sb.Append(formattable.ToString(null, CultureInfo.InvariantCulture)); break;
            default: sb.Append(value); break;
        }
    }

    /// <summary>
    /// String#inspect for UTF-8 strings: backslash escapes, <c>#{</c> guarded, other controls as \uXXXX. This is Ruby
    /// source syntax, not JSON: it has \v, \a, \e and \# that JSON lacks, so it is not <see cref="RecordJson"/>'s
    /// string writer.
    /// </summary>
    private static void AppendQuoted(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\f': sb.Append("\\f"); break;
                case '\v': sb.Append("\\v"); break;
                case '\b': sb.Append("\\b"); break;
                case '\a': sb.Append("\\a"); break;
                case '\u001b': sb.Append("\\e"); break;
                case '#' when i + 1 < s.Length && s[i + 1] is '{' or '$' or '@': sb.Append("\\#"); break;
                default:
                    if (c < 0x20 || c == 0x7f) sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
