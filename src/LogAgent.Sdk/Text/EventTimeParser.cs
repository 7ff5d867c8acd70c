using System.Globalization;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Text;

/// <summary>
/// Reads the time value of a record the way fluentd's TimeParser and NumericTimeParser do
/// (lib/fluent/time.rb): <c>string</c> with a strptime format (or Time.parse-like guessing without one),
/// <c>float</c> (<c>1362020400.123</c>, digits after the dot taken as nanoseconds without float rounding),
/// <c>unixtime</c> (whole seconds) or <c>mixed</c> (a number as float, a string with the format).
/// Like fluentd it remembers the last two strings it parsed, since consecutive lines often share a second.
/// Safe to share between threads: each cache slot is one immutable (text, time) object swapped as a whole, so a reader
/// sees a consistent pair without a lock (a lock on every line cost as much as the parse it saves).
/// </summary>
public sealed class EventTimeParser
{
    private readonly RubyTimeFormat? _format;
    private readonly bool _iso8601Only;
    private readonly Func<DateTimeOffset> _now;
    private sealed record Cached(string Text, EventTime Time);
    private Cached? _cached1, _cached2;

    public EventTimeParser(string type, string? format, RubyTimeZone zone, Func<DateTimeOffset>? now = null)
    {
        Type = type switch
        {
            "string" or "float" or "unixtime" or "mixed" => type,
            _ => throw new ArgumentException($"unknown time type '{type}' (string, float, unixtime or mixed)", nameof(type)),
        };
        Zone = zone;
        _now = now ?? (() => DateTimeOffset.UtcNow);
        // fluentd accepts the pseudo-format %iso8601 for Time.iso8601 (lib/fluent/time.rb, TimeParser#initialize).
        if (format == "%iso8601") _iso8601Only = true;
        else if (!string.IsNullOrEmpty(format)) _format = RubyTimeFormat.Compile(format);
    }

    public string Type { get; }
    public RubyTimeZone Zone { get; }
    public string? Format => _iso8601Only ? "%iso8601" : _format?.Pattern;

    /// <summary>Parses a record value (string, integer or float). Returns false when it is not a time of this type.</summary>
    public bool TryParse(object? value, out EventTime time)
    {
        switch (Type)
        {
            case "unixtime":
                return TryUnixtime(value, out time);
            case "float":
                return TryFloat(value, out time);
            case "mixed":
                if (value is long or ulong or int or double or float) return TryFloat(value, out time);
                if (value is string ms && LooksNumeric(ms)) return TryFloat(ms, out time);
                goto default;
            default:
                if (value is string s) return TryParseString(s, out time);
                time = default;
                return false;
        }
    }

    public bool TryParseString(string value, out EventTime time)
    {
        var second = Volatile.Read(ref _cached2);
        if (second is not null && value == second.Text) { time = second.Time; return true; }
        var first = Volatile.Read(ref _cached1);
        if (first is not null && value == first.Text) { time = first.Time; return true; }
        bool ok = _iso8601Only ? RubyTimeParse.TryParseIso8601(value, Zone, out time)
            : _format is not null ? _format.TryParse(value, Zone, _now(), out time)
            : RubyTimeParse.TryParse(value, Zone, _now(), out time);
        if (!ok) return false;
        // Two threads racing here may each lose the other's entry: only a cache miss later, never a wrong time.
        Volatile.Write(ref _cached1, second);
        Volatile.Write(ref _cached2, new Cached(value, time));
        return true;
    }

    /// <summary>
    /// The same for text that is not a string yet (a field of a line's bytes): a repeat of a cached text costs no
    /// allocation; only a new text becomes a string, for the cache.
    /// </summary>
    public bool TryParseString(ReadOnlySpan<char> value, out EventTime time)
    {
        var second = Volatile.Read(ref _cached2);
        if (second is not null && value.SequenceEqual(second.Text)) { time = second.Time; return true; }
        var first = Volatile.Read(ref _cached1);
        if (first is not null && value.SequenceEqual(first.Text)) { time = first.Time; return true; }
        return TryParseString(value.ToString(), out time);
    }

    private static bool TryUnixtime(object? value, out EventTime time)
    {
        time = default;
        switch (value)
        {
            case long l when l is >= 0 and <= uint.MaxValue: time = new EventTime((uint)l, 0); return true;
            case ulong ul when ul <= uint.MaxValue: time = new EventTime((uint)ul, 0); return true;
            case int i when i >= 0: time = new EventTime((uint)i, 0); return true;
            case double d when d >= 0 && d <= uint.MaxValue: time = new EventTime((uint)Math.Floor(d), 0); return true;
            case string s:
                int dot = s.IndexOf('.');
                return uint.TryParse(dot < 0 ? s.AsSpan().Trim() : s.AsSpan(0, dot).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var sec)
                    && Assign(sec, 0, out time);
            default: return false;
        }
    }

    private static bool TryFloat(object? value, out EventTime time)
    {
        time = default;
        switch (value)
        {
            case double d when d >= 0 && d <= uint.MaxValue:
                // Through the shortest decimal text, so 1362020400.123 gives 123000000 ns as a person reads it.
                return TryFloat(d.ToString("R", CultureInfo.InvariantCulture), out time);
            case float f:
                return TryFloat((double)f, out time);
            case string s:
                {
                    // As fluentd's parse_float: seconds before the dot, up to nine digits after it as nanoseconds.
                    var span = s.AsSpan().Trim();
                    if (span.Contains('e') || span.Contains('E'))
                        return double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var dd) && TryFloat(dd, out time);
                    int dot = span.IndexOf('.');
                    var whole = dot < 0 ? span : span[..dot];
                    var fraction = dot < 0 ? ReadOnlySpan<char>.Empty : span[(dot + 1)..];
                    if (!uint.TryParse(whole, NumberStyles.None, CultureInfo.InvariantCulture, out var sec)) return false;
                    uint nanos = 0;
                    int digits = 0;
                    foreach (char c in fraction)
                    {
                        if (!char.IsAsciiDigit(c)) return false;
                        if (digits++ < 9) nanos = nanos * 10 + (uint)(c - '0');
                    }
                    for (; digits < 9; digits++) nanos *= 10;
                    return Assign(sec, nanos, out time);
                }
            default:
                return TryUnixtime(value, out time);
        }
    }

    private static bool Assign(uint seconds, uint nanoseconds, out EventTime time)
    {
        time = new EventTime(seconds, nanoseconds);
        return true;
    }

    private static bool LooksNumeric(string s) =>
        s.Length > 0 && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && s.AsSpan().IndexOfAny('-', ':') < 0;
}
