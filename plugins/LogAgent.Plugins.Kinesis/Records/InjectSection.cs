using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Plugins.Kinesis.Records;

/// <summary>
/// <c>&lt;inject&gt;</c>: adds the tag, the event time and the host name to each record before it is formatted
/// (fluentd's plugin_helper/inject.rb). The SDK has no inject helper, so this is the subset fluent-plugin-kinesis
/// users write: <c>tag_key</c>, <c>time_key</c> (with <c>time_type</c>, <c>time_format</c>, <c>localtime</c> /
/// <c>utc</c>, <c>timezone</c>), <c>hostname_key</c> / <c>hostname</c>. Defaults as kinesis.rb sets them for this
/// section: time_type string, time_format <c>%Y-%m-%dT%H:%M:%S.%N%z</c>. Not supported: worker_id_key and
/// time_type mixed.
/// </summary>
public sealed class InjectSection : IConfigurableSection
{
    [Parameter("tag_key", "The record key the tag is stored under.")]
    public string? TagKey { get; set; }

    [Parameter("time_key", "The record key the event time is stored under.")]
    public string? TimeKey { get; set; }

    [Parameter("time_type", "How the time is written: string, float or unixtime.", AllowedValues = new[] { "string", "float", "unixtime" })]
    public string TimeType { get; set; } = "string";

    [Parameter("time_format", "strftime format of the time when time_type is string.")]
    public string TimeFormat { get; set; } = "%Y-%m-%dT%H:%M:%S.%N%z";

    [Parameter("localtime", "Write the time in the local time zone.")]
    public bool Localtime { get; set; } = true;

    [Parameter("utc", "Write the time in UTC.")]
    public bool Utc { get; set; }

    [Parameter("timezone", "Time zone of the time (e.g. +0900, Asia/Tokyo).")]
    public string? Timezone { get; set; }

    [Parameter("hostname_key", "The record key the host name is stored under.")]
    public string? HostnameKey { get; set; }

    [Parameter("hostname", "The host name to inject (default: this host's).")]
    public string? Hostname { get; set; }

    private EventTimeFormatter? _time;

    public void Configure(ConfigSection section)
    {
        RubyTimeZone zone;
        try
        {
            zone = Timezone is { Length: > 0 } tz ? RubyTimeZone.Parse(tz) : Utc || !Localtime ? RubyTimeZone.Utc : RubyTimeZone.Local;
        }
        catch (FormatException e)
        {
            throw new ConfigException($"<inject> timezone: {e.Message}", section);
        }
        _time = new EventTimeFormatter(TimeType, TimeFormat, zone);
    }

    public bool IsEmpty => TagKey is null && TimeKey is null && HostnameKey is null;

    /// <summary>Adds the configured keys to <paramref name="record"/>.</summary>
    public void Apply(string tag, EventTime time, Record record, string defaultHostname)
    {
        if (HostnameKey is not null) record[HostnameKey] = Hostname ?? defaultHostname;
        if (TagKey is not null) record[TagKey] = tag;
        if (TimeKey is not null)
        {
            var text = _time!.Format(time);
            record[TimeKey] = TimeType switch
            {
                "float" => time.ToUnixSeconds(),
                "unixtime" => (long)time.Seconds,
                _ => text,
            };
        }
    }
}
