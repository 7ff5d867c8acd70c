using System.Globalization;

namespace LogAgent.Sdk.Text;

/// <summary>
/// Ruby's <c>Float#to_s</c> (flo_to_s in numeric.c), which decides the text fluentd shows for a float: in formatter
/// output and JSON, in <c>${...}</c> interpolation, in <c>time_type float</c>, and in config values re-serialised from
/// JSON or YAML. The digits are the shortest that read back as the same double; there is always a fractional part
/// (<c>100.0</c>); fixed notation is used while the decimal exponent is in (-4, 16], that is 1e-4 ≤ |x| &lt; 1e16,
/// and <c>d.ddde±XX</c> otherwise (<c>1.0e+16</c>, <c>1.0e-05</c>); <c>NaN</c>, <c>Infinity</c>, <c>-0.0</c>.
/// </summary>
public static class RubyFloat
{
    public static string ToS(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "Infinity";
        if (double.IsNegativeInfinity(value)) return "-Infinity";

        // "R" gives the shortest round-trip digits, but in either notation and with .NET's own switch-over points, so
        // the digits and the decimal exponent are taken apart and laid out again by Ruby's rules. Going through
        // decimal instead would cut the digits to 15 significant ones.
        var roundTrip = value.ToString("R", CultureInfo.InvariantCulture);
        bool negative = roundTrip.StartsWith('-');
        if (negative) roundTrip = roundTrip[1..];
        int exponent = 0;
        int e = roundTrip.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(roundTrip[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            roundTrip = roundTrip[..e];
        }
        int point = roundTrip.IndexOf('.');
        string intPart = point < 0 ? roundTrip : roundTrip[..point];
        string fracPart = point < 0 ? "" : roundTrip[(point + 1)..];
        string digits = intPart + fracPart;
        // value = 0.digits × 10^decpt, as ruby's flo_to_s has it.
        int decpt = intPart.Length + exponent;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0') { lead++; decpt--; }
        digits = digits[lead..].TrimEnd('0');
        string sign = negative ? "-" : "";
        if (digits.Length == 0) return sign + "0.0";

        if (decpt > 0 && decpt <= 16)
        {
            if (digits.Length <= decpt) return sign + digits + new string('0', decpt - digits.Length) + ".0";
            return sign + digits[..decpt] + "." + digits[decpt..];
        }
        if (decpt <= 0 && decpt > -4)
            return sign + "0." + new string('0', -decpt) + digits;
        int exp = decpt - 1;
        return sign + digits[0] + "." + (digits.Length > 1 ? digits[1..] : "0") + "e" + (exp < 0 ? "-" : "+")
            + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
    }
}
