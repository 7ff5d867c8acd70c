using System.Globalization;
using System.Text.RegularExpressions;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Text;

/// <summary>
/// Reads a time when no <c>time_format</c> is configured, as fluentd does with Ruby's Time.parse
/// (lib/fluent/time.rb, TimeParser without a format). Time.parse guesses at almost anything; this accepts the
/// forms logs actually carry: ISO 8601 / RFC 3339 (<c>2013-02-28T12:00:00.123+09:00</c>, <c>2013-02-28 12:00:00 +0900</c>,
/// <c>2013/02/28 12:00:00</c>, a bare date), RFC 2822 (<c>Thu, 28 Feb 2013 12:00:00 +0900</c>), the Apache/nginx
/// access-log form, ctime (<c>Thu Feb 28 12:00:00 2013</c>) and syslog's <c>Feb 28 12:00:00</c>.
/// </summary>
public static partial class RubyTimeParse
{
    private static readonly RubyTimeFormat[] OtherForms =
    {
        RubyTimeFormat.Compile("%a, %d %b %Y %H:%M:%S %z"),
        RubyTimeFormat.Compile("%d %b %Y %H:%M:%S %z"),
        RubyTimeFormat.Compile("%d/%b/%Y:%H:%M:%S %z"),
        RubyTimeFormat.Compile("%a %b %d %H:%M:%S %Y"),
        RubyTimeFormat.Compile("%a %b %d %H:%M:%S %z %Y"),
        RubyTimeFormat.Compile("%b %d %H:%M:%S"),
        RubyTimeFormat.Compile("%b %d %Y %H:%M:%S"),
        RubyTimeFormat.Compile("%b %d %H:%M:%S %Y"), // apache_error: "[Wed Oct 11 14:32:52 2000]" without the weekday
        RubyTimeFormat.Compile("%b %d %H:%M:%S.%N %Y"), // Apache 2.4's default error log: "[Wed Nov 26 10:20:01.123456 2026]"
        RubyTimeFormat.Compile("%a %b %d %H:%M:%S.%N %Y"),
    };

    /// <summary>Reads <paramref name="text"/>; a time without an offset is wall-clock time in <paramref name="zone"/>.</summary>
    public static bool TryParse(string text, RubyTimeZone zone, DateTimeOffset now, out EventTime time)
    {
        if (TryParseIso8601(text, zone, out time)) return true;
        foreach (var form in OtherForms)
            if (form.TryParse(text, zone, now, out time)) return true;
        return false;
    }

    /// <summary>ISO 8601 / RFC 3339 only (fluentd's <c>time_format %iso8601</c>, Ruby's Time.iso8601, here a little more lenient).</summary>
    public static bool TryParseIso8601(string text, RubyTimeZone zone, out EventTime time)
    {
        time = default;
        var m = Iso8601().Match(text);
        if (!m.Success) return false;
        int year = Int(m, "y"), month = Int(m, "mo"), day = Int(m, "d");
        int hour = Int(m, "h"), minute = Int(m, "mi"), second = Int(m, "s");
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 24 || minute > 59 || second > 60)
            return false;
        long nanos = 0;
        if (m.Groups["f"].Success)
        {
            var digits = m.Groups["f"].ValueSpan;
            if (digits.Length > 9) digits = digits[..9];
            nanos = long.Parse(digits, CultureInfo.InvariantCulture);
            for (int k = digits.Length; k < 9; k++) nanos *= 10;
        }
        var wall = new DateTime(year, month, day).AddSeconds(hour * 3600 + minute * 60 + second);
        TimeSpan offset;
        if (m.Groups["z"].Success)
        {
            int pos = 0;
            if (!RubyTimeFormat.TryReadOffset(m.Groups["z"].ValueSpan, ref pos, out offset)) return false;
        }
        else offset = zone.OffsetForWallClock(wall);
        long seconds = (wall - offset - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond;
        if (seconds is < 0 or > uint.MaxValue) return false;
        time = new EventTime((uint)seconds, (uint)nanos);
        return true;
    }

    private static int Int(Match m, string group) =>
        m.Groups[group].Success ? int.Parse(m.Groups[group].ValueSpan, CultureInfo.InvariantCulture) : 0;

    [GeneratedRegex(@"^\s*(?<y>\d{4})[-/](?<mo>\d{1,2})[-/](?<d>\d{1,2})(?:(?:T|\s+)(?<h>\d{1,2}):(?<mi>\d{2})(?::(?<s>\d{2})(?:[.,](?<f>\d+))?)?)?\s*(?<z>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Iso8601();
}
