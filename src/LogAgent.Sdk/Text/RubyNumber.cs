using System.Globalization;

namespace LogAgent.Sdk.Text;

/// <summary>
/// Ruby's lenient String#to_i and String#to_f, which fluentd's <c>types</c> conversion uses
/// (lib/fluent/plugin/parser.rb, build_type_converters): the longest numeric prefix counts and anything else is
/// 0, so <c>"12ms"</c> is 12 and <c>"abc"</c> is 0.
/// </summary>
public static class RubyNumber
{
    public static long ToI(object? value) => value switch
    {
        long l => l,
        int i => i,
        ulong ul => ul > long.MaxValue ? long.MaxValue : (long)ul,
        double d => double.IsFinite(d) ? (long)Math.Truncate(Math.Clamp(d, long.MinValue, long.MaxValue)) : 0,
        _ => ParseIntegerPrefix(RubyValueText.ToS(value)),
    };

    public static double ToF(object? value) => value switch
    {
        double d => d,
        long l => l,
        int i => i,
        ulong ul => ul,
        _ => ParseFloatPrefix(RubyValueText.ToS(value)),
    };

    public static long ParseIntegerPrefix(string s)
    {
        int i = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        bool negative = false;
        if (i < s.Length && s[i] is '+' or '-') negative = s[i++] == '-';
        long value = 0;
        bool any = false;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '_' && any && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1])) continue;
            if (!char.IsAsciiDigit(c)) break;
            any = true;
            value = unchecked(value * 10 + (c - '0'));
        }
        return negative ? -value : value;
    }

    public static double ParseFloatPrefix(string s)
    {
        int i = 0;
        while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
        int start = i;
        if (i < s.Length && s[i] is '+' or '-') i++;
        int digitsStart = i;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || (s[i] == '_' && i > digitsStart))) i++;
        if (i < s.Length && s[i] == '.' && i + 1 < s.Length && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
        }
        if (i > digitsStart && i < s.Length && s[i] is 'e' or 'E')
        {
            int save = i++;
            if (i < s.Length && s[i] is '+' or '-') i++;
            int expStart = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            if (i == expStart) i = save;
        }
        var number = s[start..i].Replace("_", "");
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : 0.0;
    }
}
