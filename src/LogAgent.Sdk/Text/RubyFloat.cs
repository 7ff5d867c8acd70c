using System.Globalization;

namespace LogAgent.Sdk.Text;

/// <summary>
/// Ruby's Float#to_s, which fluentd's output reflects: the shortest text that reads back as the same double, and
/// always a decimal point (<c>1.0</c>, not <c>1</c>); exponent form (<c>1.0e+16</c>, <c>1.0e-05</c>) from 1e16
/// upwards and below 1e-4; <c>NaN</c>, <c>Infinity</c>.
/// </summary>
public static class RubyFloat
{
    public static string ToS(double value)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsPositiveInfinity(value)) return "Infinity";
        if (double.IsNegativeInfinity(value)) return "-Infinity";
        var r = value.ToString("R", CultureInfo.InvariantCulture);
        int ei = r.IndexOf('E');
        double abs = Math.Abs(value);
        if (abs != 0 && (abs >= 1e16 || abs < 1e-4))
        {
            var mantissa = ei < 0 ? r : r[..ei];
            int exponent = ei < 0 ? 0 : int.Parse(r[(ei + 1)..], CultureInfo.InvariantCulture);
            if (ei < 0)
            {
                // "R" chose positional form: normalise to one digit before the point.
                exponent = (int)Math.Floor(Math.Log10(abs));
                mantissa = (value / Math.Pow(10, exponent)).ToString("R", CultureInfo.InvariantCulture);
            }
            if (!mantissa.Contains('.')) mantissa += ".0";
            return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }
        if (ei >= 0) r = ((decimal)value).ToString(CultureInfo.InvariantCulture);
        return r.Contains('.') ? r : r + ".0";
    }
}
