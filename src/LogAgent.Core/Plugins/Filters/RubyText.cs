using System.Collections;
using System.Globalization;
using System.Text;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// The rest of the Ruby behaviour fluentd's filters rely on: <c>Time#to_s</c> for record_transformer's
/// <c>${time}</c>, <c>to_f</c> for <c>renew_time_key</c>, String#split for tag parts, and class names for error
/// messages. A value's <c>to_s</c> and <c>inspect</c> are <see cref="RubyValueText"/> in the SDK.
/// </summary>
public static class RubyText
{
    // Time#to_s is strftime('%Y-%m-%d %H:%M:%S %z').
    private static readonly RubyTimeFormat TimeToSFormat = RubyTimeFormat.Compile("%Y-%m-%d %H:%M:%S %z");

    /// <summary>
    /// <c>Time.at(time).to_s</c>: <c>%Y-%m-%d %H:%M:%S %z</c> in the given zone (fluentd uses the process's local
    /// zone).
    /// </summary>
    public static string TimeToS(EventTime time, TimeZoneInfo zone) => TimeToSFormat.Format(time, RubyTimeZone.Of(zone));

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
