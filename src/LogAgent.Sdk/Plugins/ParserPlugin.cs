using System.Globalization;
using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Sdk.Plugins;

/// <summary>
/// Turns a line of text into a time and a record (fluentd's parser plugins). The common parameters every
/// fluentd parser has are declared here once, and so is what fluentd's Parser base class does with them
/// (lib/fluent/plugin/parser.rb): <see cref="TryTakeTime"/> reads and removes <c>time_key</c>,
/// <see cref="ConvertValues"/> applies <c>types</c>, <c>null_value_pattern</c> and <c>null_empty_string</c>.
/// A derived parser calls <c>base.Configure</c> first.
/// </summary>
public abstract class ParserPlugin : Plugin
{
    private static readonly string[] ValueTypes = { "string", "integer", "float", "bool", "time", "array" };

    private EventTimeParser? _timeParser;
    private Regex? _nullValueRegex;
    private Dictionary<string, Func<object, object?>>? _converters;

    [Parameter("time_key", "The record key holding the event time; removed from the record unless keep_time_key.")]
    public virtual string? TimeKey { get; set; } = "time";

    [Parameter("time_type", "How time_key is read: string (with time_format), float, unixtime or mixed.",
        AllowedValues = new[] { "string", "float", "unixtime", "mixed" })]
    public string TimeType { get; set; } = "string";

    [Parameter("time_format", "strptime format of time_key (Ruby directives, e.g. %d/%b/%Y:%H:%M:%S %z); empty means ISO 8601 / anything Time.parse accepts.")]
    public virtual string? TimeFormat { get; set; }

    [Parameter("keep_time_key", "Keep time_key in the record after using it as the event time.")]
    public bool KeepTimeKey { get; set; }

    [Parameter("localtime", "Read times without an offset as local time.")]
    public bool LocalTime { get; set; } = true;

    [Parameter("utc", "Read times without an offset as UTC.")]
    public bool Utc { get; set; }

    [Parameter("timezone", "Offset or zone name for times without one, e.g. +09:00 or Asia/Tokyo.")]
    public string? Timezone { get; set; }

    [Parameter("types", "Value conversions as key:type pairs (string, integer, float, bool, time, array).")]
    public Dictionary<string, string> Types { get; set; } = new();

    [Parameter("null_value_pattern", "Values matching this regular expression become null.")]
    public string? NullValuePattern { get; set; }

    [Parameter("null_empty_string", "Empty string values become null.")]
    public bool NullEmptyString { get; set; }

    [Parameter("estimate_current_event", "Use the current time when the text carries none.")]
    public bool EstimateCurrentEvent { get; set; } = true;

    /// <summary>
    /// Where "now" comes from: the event time when the text has none, and the year of year-less times such as
    /// syslog's. Tests replace it; set it before parsing (it is read on each use).
    /// </summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The zone for times without an offset, from <c>localtime</c>, <c>utc</c> and <c>timezone</c>.</summary>
    public RubyTimeZone TimeZone { get; private set; } = RubyTimeZone.Local;

    /// <summary>The parser of <c>time_key</c>'s value built from time_type, time_format and the zone.</summary>
    protected EventTimeParser TimeParser => _timeParser ??= CreateTimeParser(TimeType, TimeFormat);

    /// <summary>
    /// Parses one text. Returns false when the text does not match the format (the caller decides whether that is
    /// a warning, an @ERROR event or an unmatched line). A time of null means the text carried none.
    /// </summary>
    public abstract bool TryParse(string text, out EventTime? time, out Record record);

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        // lib/fluent/time.rb, TimeParameters#configure: the two switches contradict each other.
        if (config.Has("localtime") && config.Has("utc"))
            throw new ConfigException("both of utc and localtime are specified, use only one of them", config);
        try
        {
            TimeZone = RubyTimeZone.FromParameters(LocalTime, Utc, Timezone);
        }
        catch (FormatException e)
        {
            var at = config.Find("timezone");
            throw at is null ? new ConfigException(e.Message, config) : new ConfigException(e.Message, at);
        }
        _timeParser = CreateTimeParser(TimeType, TimeFormat);
        if (NullValuePattern is not null)
        {
            try
            {
                _nullValueRegex = new Regex(NullValuePattern, RegexOptions.CultureInvariant | RegexOptions.Multiline);
            }
            catch (ArgumentException e)
            {
                throw new ConfigException($"invalid null_value_pattern '{NullValuePattern}': {e.Message}", config);
            }
        }
        _converters = BuildConverters(config);
    }

    /// <summary>A time parser in this parser's zone and clock, for parsers with more than one time form (syslog).</summary>
    protected EventTimeParser CreateTimeParser(string type, string? format) =>
        new(type, format, TimeZone, () => Clock.GetUtcNow());

    /// <summary>The current time as an event time, from <see cref="Clock"/>.</summary>
    protected EventTime Now() => EventTime.FromDateTimeOffset(Clock.GetUtcNow());

    /// <summary>
    /// fluentd's Parser#parse_time: reads <c>time_key</c> (removing it unless keep_time_key); without the key the
    /// time is now when estimate_current_event, else null. False when the value is not a time.
    /// </summary>
    protected bool TryTakeTime(Record record, out EventTime? time)
    {
        if (TimeKey is { } key && record.TryGetValue(key, out var value))
        {
            if (!KeepTimeKey) record.Remove(key);
            if (value is not null && TimeParser.TryParse(value, out var parsed))
            {
                time = parsed;
                return true;
            }
            time = null;
            return false;
        }
        time = EstimateCurrentEvent ? Now() : null;
        return true;
    }

    /// <summary>
    /// fluentd's Parser#convert_values: string values matching null_value_pattern (anywhere in the value, as Ruby's
    /// Regexp#match) or empty with null_empty_string become null; then <c>types</c> converts the rest.
    /// </summary>
    protected void ConvertValues(Record record)
    {
        if (_converters is null && _nullValueRegex is null && !NullEmptyString) return;
        foreach (var key in record.Keys.ToArray())
        {
            var value = record[key];
            if (value is null) continue;
            if (value is string s && ((NullEmptyString && s.Length == 0) || (_nullValueRegex?.IsMatch(s) ?? false)))
            {
                record[key] = null;
                continue;
            }
            if (_converters is not null && _converters.TryGetValue(key, out var convert))
                record[key] = convert(value);
        }
    }

    /// <summary>The usual tail of a parse: <see cref="TryTakeTime"/> then <see cref="ConvertValues"/>.</summary>
    protected bool TryFinish(Record record, out EventTime? time)
    {
        if (!TryTakeTime(record, out time)) return false;
        ConvertValues(record);
        return true;
    }

    private Dictionary<string, Func<object, object?>>? BuildConverters(ConfigSection config)
    {
        if (Types.Count == 0) return null;
        var converters = new Dictionary<string, Func<object, object?>>(StringComparer.Ordinal);
        foreach (var (field, definition) in Types)
        {
            int colon = definition.IndexOf(':');
            var type = colon < 0 ? definition : definition[..colon];
            var option = colon < 0 ? null : definition[(colon + 1)..];
            if (!ValueTypes.Contains(type))
                throw new ConfigException($"unknown value conversion for key:'{field}', type:'{type}'", config);
            converters[field] = type switch
            {
                "string" => v => RubyValueText.ToS(v),
                "integer" => v => RubyNumber.ToI(v),
                "float" => v => RubyNumber.ToF(v),
                "bool" => v => RubyValueText.ToS(v).ToLowerInvariant() is "true" or "yes" or "1",
                "time" => TimeConverter(option),
                _ => ArrayConverter(option),
            };
        }
        return converters;
    }

    /// <summary>
    /// <c>key:time</c>, <c>key:time:FORMAT</c>, <c>key:time:TIMEZONE:FORMAT</c>, <c>key:time:unixtime</c> or
    /// <c>key:time:float</c> as in parser.rb's build_type_converters; a value that is not a time becomes null.
    /// </summary>
    private Func<object, object?> TimeConverter(string? option)
    {
        EventTimeParser parser;
        if (option is null) parser = CreateTimeParser("string", null);
        else
        {
            string? format = option;
            var zone = TimeZone;
            int colon = option.IndexOf(':');
            if (option.Length > 7 && option[0] is '+' or '-' && option[6] == ':' && RubyTimeZone.TryParse(option[..6], out var z6))
            {
                // "+09:00:%Y-%m-%d": the offset itself has a colon (fluentd would split it after "+09").
                zone = z6;
                format = option[7..];
            }
            else if (colon > 0 && RubyTimeZone.TryParse(option[..colon], out var z))
            {
                zone = z;
                format = option[(colon + 1)..];
            }
            string type = format is "unixtime" or "float" ? format : "string";
            parser = new EventTimeParser(type, type == "string" ? format : null, zone, () => Clock.GetUtcNow());
        }
        return v => parser.TryParse(v, out var t) ? t : null;
    }

    private static Func<object, object?> ArrayConverter(string? option)
    {
        var delimiter = string.IsNullOrEmpty(option) ? "," : option;
        return v =>
        {
            // Ruby's String#split drops trailing empty fields: "a,b,".split(",") is ["a", "b"].
            var parts = RubyValueText.ToS(v).Split(delimiter);
            int n = parts.Length;
            while (n > 0 && parts[n - 1].Length == 0) n--;
            var list = new List<object?>(n);
            for (int i = 0; i < n; i++) list.Add(parts[i]);
            return list;
        };
    }
}
