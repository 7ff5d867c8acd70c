using System.Globalization;
using System.Text.RegularExpressions;

namespace LogAgent.Sdk.Text;

/// <summary>
/// The zone a time is read or written in: the host's local zone, UTC, a fixed offset (<c>+09:00</c>) or a named
/// zone (<c>Asia/Tokyo</c>). UTC is kept apart from a zero offset on purpose: Ruby writes a UTC time as <c>Z</c>
/// in ISO 8601 and <c>UTC</c> for <c>%Z</c>, but a <c>+00:00</c> offset as <c>+00:00</c> and an empty <c>%Z</c>
/// (the comment in fluentd's lib/fluent/time.rb, TimeParameters#configure, relies on that difference).
/// </summary>
public sealed partial class RubyTimeZone
{
    private readonly TimeZoneInfo? _zone;
    private readonly TimeSpan _fixedOffset;

    private RubyTimeZone(string name, TimeZoneInfo? zone, TimeSpan fixedOffset, bool isUtc)
    {
        Name = name;
        _zone = zone;
        _fixedOffset = fixedOffset;
        IsUtc = isUtc;
    }

    public static RubyTimeZone Utc { get; } = new("UTC", null, TimeSpan.Zero, isUtc: true);

    /// <summary>A zone given as a .NET <see cref="TimeZoneInfo"/>, for callers that hold one rather than a configured name.</summary>
    public static RubyTimeZone Of(TimeZoneInfo zone) =>
        new(zone.Id, zone, TimeSpan.Zero, isUtc: zone.Id == TimeZoneInfo.Utc.Id);

    /// <summary>The host's zone, read when first used (tests and containers set <c>TZ</c> before start).</summary>
    public static RubyTimeZone Local => LocalZone.Value;

    private static readonly Lazy<RubyTimeZone> LocalZone = new(() => new RubyTimeZone("localtime", TimeZoneInfo.Local, TimeSpan.Zero, isUtc: false));

    /// <summary>The name as configured (<c>+09:00</c>, <c>Asia/Tokyo</c>), <c>UTC</c> or <c>localtime</c>.</summary>
    public string Name { get; }

    public bool IsUtc { get; }

    /// <summary>True for a configured offset such as <c>+09:00</c>: Ruby prints an empty <c>%Z</c> for those.</summary>
    public bool IsFixedOffset => _zone is null && !IsUtc;

    /// <summary>
    /// Reads a <c>timezone</c> parameter: <c>[+-]HH:MM</c>, <c>[+-]HHMM</c>, <c>[+-]HH</c> (the forms
    /// fluentd's lib/fluent/timezone.rb accepts) or a zone name the system's tz database knows.
    /// </summary>
    public static bool TryParse(string text, out RubyTimeZone zone)
    {
        var s = text.Trim();
        var m = OffsetPattern().Match(s);
        if (m.Success)
        {
            int hours = int.Parse(m.Groups["h"].Value, CultureInfo.InvariantCulture);
            int minutes = m.Groups["m"].Success ? int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
            if (hours <= 23 && minutes <= 59)
            {
                var offset = new TimeSpan(hours, minutes, 0);
                zone = new RubyTimeZone(s, null, m.Groups["sign"].Value == "-" ? -offset : offset, isUtc: false);
                return true;
            }
        }
        else if (s.Length > 0)
        {
            try
            {
                zone = new RubyTimeZone(s, TimeZoneInfo.FindSystemTimeZoneById(s), TimeSpan.Zero, isUtc: false);
                return true;
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
            }
        }
        zone = Utc;
        return false;
    }

    public static RubyTimeZone Parse(string text) =>
        TryParse(text, out var zone) ? zone : throw new FormatException($"'{text}' is not a timezone (use +09:00, +0900 or a zone name such as Asia/Tokyo)");

    /// <summary>
    /// The zone of fluentd's time parameters: <c>timezone</c> when set, else UTC when <c>utc</c> is true or
    /// <c>localtime</c> is false, else local (lib/fluent/time.rb, time_parser_create / time_formatter_create).
    /// </summary>
    public static RubyTimeZone FromParameters(bool localtime, bool utc, string? timezone)
    {
        if (!string.IsNullOrEmpty(timezone)) return Parse(timezone);
        return localtime && !utc ? Local : Utc;
    }

    /// <summary>The offset from UTC at the given instant.</summary>
    public TimeSpan OffsetAt(DateTime utc)
    {
        if (_zone is null) return _fixedOffset;
        return _zone.GetUtcOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
    }

    /// <summary>
    /// The offset that applies to a wall-clock time read from a log. For a time a DST change skips or repeats,
    /// the zone's standard offset is taken, as there is nothing in the text to choose otherwise.
    /// </summary>
    public TimeSpan OffsetForWallClock(DateTime wallClock)
    {
        if (_zone is null) return _fixedOffset;
        var unspecified = DateTime.SpecifyKind(wallClock, DateTimeKind.Unspecified);
        if (_zone.IsInvalidTime(unspecified) || _zone.IsAmbiguousTime(unspecified)) return _zone.BaseUtcOffset;
        return _zone.GetUtcOffset(unspecified);
    }

    /// <summary>What Ruby's <c>%Z</c> prints: <c>UTC</c>, an abbreviation for named zones when one is known, or empty for a fixed offset.</summary>
    public string Abbreviation(DateTime utc)
    {
        if (IsUtc) return "UTC";
        if (_zone is null) return "";
        // .NET does not expose tz abbreviations (JST, CET); Ruby would print them. The offset is the next best thing.
        var offset = OffsetAt(utc);
        if (offset == TimeSpan.Zero && (_zone.Id is "UTC" or "Etc/UTC" or "Etc/GMT" or "GMT")) return "UTC";
        return FormatOffset(offset, colon: false);
    }

    internal static string FormatOffset(TimeSpan offset, bool colon)
    {
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return colon ? $"{sign}{abs.Hours:00}:{abs.Minutes:00}" : $"{sign}{abs.Hours:00}{abs.Minutes:00}";
    }

    public override string ToString() => Name;

    [GeneratedRegex(@"^(?<sign>[+-])(?<h>\d{2})(?::?(?<m>\d{2}))?$")]
    private static partial Regex OffsetPattern();
}
