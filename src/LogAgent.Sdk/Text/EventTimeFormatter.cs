using System.Globalization;
using System.Text;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Text;

/// <summary>
/// Writes an event time the way fluentd's TimeFormatter does (lib/fluent/time.rb): <c>string</c> with a strftime
/// format, or Ruby's Time#iso8601 (<c>2013-02-28T12:00:00+09:00</c>, <c>Z</c> for UTC, no fraction) without one;
/// <c>unixtime</c> (whole seconds) and <c>float</c> (Ruby's Float#to_s of the time). It remembers the last two
/// results, as fluentd does, since a burst of events shares the same second.
/// </summary>
public sealed class EventTimeFormatter
{
    private static readonly RubyTimeFormat Iso8601 = RubyTimeFormat.Compile("%Y-%m-%dT%H:%M:%S%:z");
    private static readonly RubyTimeFormat Iso8601Utc = RubyTimeFormat.Compile("%Y-%m-%dT%H:%M:%SZ");

    private readonly RubyTimeFormat _format;
    private readonly bool _subseconds;
    private readonly StringBuilder _builder = new(40);
    private readonly object _cacheLock = new();
    private EventTime _key1, _key2;
    private string? _value1, _value2;

    public EventTimeFormatter(string type, string? format, RubyTimeZone zone)
    {
        Type = type switch
        {
            "string" or "float" or "unixtime" => type,
            _ => throw new ArgumentException($"unknown time type '{type}' (string, float or unixtime)", nameof(type)),
        };
        Zone = zone;
        _format = !string.IsNullOrEmpty(format) ? RubyTimeFormat.Compile(format) : zone.IsUtc ? Iso8601Utc : Iso8601;
        _subseconds = _format.HasSubseconds;
    }

    public string Type { get; }
    public RubyTimeZone Zone { get; }

    public string Format(EventTime time)
    {
        switch (Type)
        {
            case "unixtime": return time.Seconds.ToString(CultureInfo.InvariantCulture);
            case "float": return RubyFloat.ToS(time.Seconds + time.Nanoseconds / 1e9);
        }
        // Without %L/%N two times in the same second print the same, so the cache ignores nanoseconds then.
        var key = _subseconds ? time : new EventTime(time.Seconds, 0);
        lock (_cacheLock)
        {
            if (_value2 is not null && key == _key2) return _value2;
            if (_value1 is not null && key == _key1) return _value1;
            _builder.Clear();
            _format.Format(time, Zone, _builder);
            var text = _builder.ToString();
            _key1 = _key2;
            _value1 = _value2;
            _key2 = key;
            _value2 = text;
            return text;
        }
    }
}
