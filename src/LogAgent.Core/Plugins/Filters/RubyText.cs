using System.Collections;
using System.Globalization;
using System.Text;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// Ruby's text conversions, reproduced because fluentd's filters compare and build strings with them: grep
/// matches <c>value.to_s</c>, record_transformer interpolates with <c>to_s</c> and writes <c>${time}</c> with
/// <c>Time#to_s</c>. Hashes print in the Ruby ≤ 3.3 form <c>{"a"=>1}</c> (fluent-package 5 ships Ruby 3.2;
/// Ruby 3.4 added spaces around <c>=&gt;</c>).
/// </summary>
public static class RubyText
{
    /// <summary><c>value.to_s</c>: nil is empty, strings are themselves, hashes and arrays are their <c>inspect</c>.</summary>
    public static string ToS(object? value) => value switch
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

    /// <summary>String#inspect for UTF-8 strings: backslash escapes, <c>#{</c> guarded, other controls as \uXXXX.</summary>
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

    /// <summary>
    /// <c>Time.at(time).to_s</c>: <c>%Y-%m-%d %H:%M:%S %z</c> in the given zone (fluentd uses the process's local
    /// zone).
    /// </summary>
    public static string TimeToS(EventTime time, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(time.ToDateTimeOffset(), zone);
        var offset = local.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return local.ToString("yyyy-MM-dd HH:mm:ss ", CultureInfo.InvariantCulture)
            + sign + offset.Hours.ToString("00", CultureInfo.InvariantCulture) + offset.Minutes.ToString("00", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <c>value.to_f</c> for the types a record holds. String#to_f reads the longest leading number and is 0.0
    /// when there is none; nil is 0.0; hashes, arrays and booleans have no to_f, so they throw like Ruby's NoMethodError.
    /// </summary>
    public static double ToF(object? value) => value switch
    {
        null => 0.0,
        string s => StringToF(s),
        long l => l,
        ulong ul => ul,
        int i => i,
        double d => d,
        float f => f,
        EventTime t => t.ToUnixSeconds(),
        _ => throw new InvalidOperationException($"undefined method 'to_f' for {RubyClassName(value)}"),
    };

    public static double StringToF(string s)
    {
        int i = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        var number = new StringBuilder();
        if (i < s.Length && s[i] is '+' or '-') number.Append(s[i++]);
        int digitsBefore = ReadDigits(s, ref i, number);
        int digitsAfter = 0;
        if (digitsBefore > 0 && i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
        {
            number.Append(s[i++]);
            digitsAfter = ReadDigits(s, ref i, number);
        }
        if (digitsBefore + digitsAfter == 0) return 0.0;
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            int save = i;
            var exp = new StringBuilder("e");
            i++;
            if (i < s.Length && s[i] is '+' or '-') exp.Append(s[i++]);
            if (ReadDigits(s, ref i, exp) > 0) number.Append(exp);
            else i = save;
        }
        return double.Parse(number.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    // Digits with single underscores between them, as Ruby's numeric literals allow.
    private static int ReadDigits(string s, ref int i, StringBuilder into)
    {
        int count = 0;
        while (i < s.Length)
        {
            if (char.IsAsciiDigit(s[i])) { into.Append(s[i++]); count++; }
            else if (s[i] == '_' && count > 0 && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])) i++;
            else break;
        }
        return count;
    }

    /// <summary>String#split with a one-character separator: trailing empty fields are dropped, and "" gives none.</summary>
    public static string[] Split(string s, char separator)
    {
        var parts = s.Split(separator);
        int n = parts.Length;
        while (n > 0 && parts[n - 1].Length == 0) n--;
        return n == parts.Length ? parts : parts[..n];
    }

    /// <summary>The Ruby class a decoded record value would have, for error messages.</summary>
    public static string RubyClassName(object? value) => value switch
    {
        null => "nil",
        string or byte[] => "String",
        bool b => b ? "true" : "false",
        long or int or ulong or uint or short or byte => "Integer",
        double or float => "Float",
        IDictionary<string, object?> => "Hash",
        IList => "Array",
        EventTime => "Fluent::EventTime",
        _ => value.GetType().Name,
    };
}
