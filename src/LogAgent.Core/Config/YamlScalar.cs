using System.Globalization;
using System.Text.RegularExpressions;

namespace LogAgent.Core.Config;

/// <summary>
/// What Ruby's YAML loader (Psych, <c>ScalarScanner#tokenize</c>) makes of a plain (unquoted) scalar, and the text
/// fluentd then sees: <c>yes</c>/<c>on</c>/<c>true</c> become <c>true</c>, <c>0755</c> is octal (<c>493</c>),
/// <c>1_000</c> is <c>1000</c>, <c>1.50</c> is <c>1.5</c>, <c>~</c>/<c>null</c>/empty are nil. Quoted scalars are
/// always strings. Psych's rarer readings (sexagesimal <c>1:30</c>, dates and times, comma-grouped integers) are not
/// reproduced: those stay text.
/// </summary>
internal static class YamlScalar
{
    private static readonly Regex Decimal = new(@"^[-+]?(?:0|[1-9][0-9_]*)$", RegexOptions.CultureInvariant);
    private static readonly Regex Octal = new(@"^[-+]?0[0-7_]+$", RegexOptions.CultureInvariant);
    private static readonly Regex Hex = new(@"^[-+]?0x[0-9a-fA-F_]+$", RegexOptions.CultureInvariant);
    private static readonly Regex Binary = new(@"^[-+]?0b[01_]+$", RegexOptions.CultureInvariant);
    private static readonly Regex Float = new(@"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?$", RegexOptions.CultureInvariant);

    /// <summary>null, bool, long, double or the string itself.</summary>
    public static object? Resolve(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
        }
        var lower = text.ToLowerInvariant();
        if (lower is "yes" or "true" or "on") return true;
        if (lower is "no" or "false" or "off") return false;
        if (lower is ".inf" or "+.inf") return double.PositiveInfinity;
        if (lower is "-.inf") return double.NegativeInfinity;
        if (lower is ".nan") return double.NaN;

        bool negative = text.StartsWith('-');
        var unsigned = text.TrimStart('-', '+').Replace("_", "");
        try
        {
            if (Decimal.IsMatch(text) && long.TryParse(text.Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
            if (Octal.IsMatch(text)) return Sign(Convert.ToInt64(unsigned, 8), negative);
            if (Hex.IsMatch(text)) return Sign(Convert.ToInt64(unsigned[2..], 16), negative);
            if (Binary.IsMatch(text)) return Sign(Convert.ToInt64(unsigned[2..], 2), negative);
        }
        catch (OverflowException)
        {
            return text;
        }
        if (Float.IsMatch(text) && text.Trim('-', '+') != ".")
            return double.Parse(text.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture);
        return text;
    }

    private static long Sign(long value, bool negative) => negative ? -value : value;

    /// <summary>The text fluentd's config types receive for a resolved scalar (Ruby's <c>to_s</c>).</summary>
    public static string? Render(object? value) => value is null ? null : RubyEmbedEvaluator.ToS(value);
}
