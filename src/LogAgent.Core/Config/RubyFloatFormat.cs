using System.Globalization;

namespace LogAgent.Core.Config;

/// <summary>
/// Ruby's <c>Float#to_s</c>: the shortest digits that round-trip, always with a fraction (<c>100.0</c>), and
/// scientific notation (<c>1.0e+16</c>, <c>1.0e-05</c>) outside 1e-4 ≤ |x| &lt; 1e16. fluentd re-serialises JSON
/// values with Ruby's JSON generator and YAML floats with <c>to_s</c>, so this decides the text a plugin sees.
/// </summary>
internal static class RubyFloatFormat
{
    public static string Format(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "Infinity";
        if (double.IsNegativeInfinity(value)) return "-Infinity";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";

        // "E16" is not shortest; "R" gives the shortest round-trip digits, in either notation.
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = r.StartsWith('-');
        if (negative) r = r[1..];
        int e = r.IndexOfAny(['E', 'e']);
        string mantissa = e >= 0 ? r[..e] : r;
        int exp10 = e >= 0 ? int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture) : 0;
        int dot = mantissa.IndexOf('.');
        string intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        string fracPart = dot >= 0 ? mantissa[(dot + 1)..] : "";
        var digits = (intPart + fracPart).TrimStart('0');
        int leadingZeros = (intPart + fracPart).Length - (intPart + fracPart).TrimStart('0').Length;
        int exponent = intPart.Length - leadingZeros + exp10; // value = 0.digits × 10^exponent
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";

        string text;
        if (exponent >= -3 && exponent <= 16)
        {
            // Fixed notation: 1e-4 <= |x| < 1e16.
            if (exponent <= 0) text = "0." + new string('0', -exponent) + digits;
            else if (exponent >= digits.Length) text = digits + new string('0', exponent - digits.Length) + ".0";
            else text = digits[..exponent] + "." + digits[exponent..];
        }
        else
        {
            int sciExp = exponent - 1;
            string frac = digits.Length > 1 ? digits[1..] : "0";
            text = digits[0] + "." + frac + "e" + (sciExp < 0 ? "-" : "+") + Math.Abs(sciExp).ToString("00", CultureInfo.InvariantCulture);
        }
        return negative ? "-" + text : text;
    }
}
