using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Formatters;

/// <summary>
/// fluentd's <c>out_file</c> formatter (lib/fluent/plugin/formatter_out_file.rb), the default of the file output:
/// <c>time&lt;TAB&gt;tag&lt;TAB&gt;json</c> and a newline. The time is ISO 8601 with the offset
/// (<c>2013-02-28T12:00:00+09:00</c>; <c>Z</c> with <c>utc</c>) in local time unless time_format, utc or
/// timezone say otherwise.
/// </summary>
[Plugin(PluginKind.Formatter, "out_file", "Writes time, tag and the record as JSON, tab-separated (the file output's format).")]
public sealed class OutFileFormatter : FormatterPlugin
{
    private EventTimeFormatter? _time;
    private string _delimiter = "\t";

    [Parameter("output_time", "Start the line with the event time.")]
    public bool OutputTime { get; set; } = true;

    [Parameter("output_tag", "Write the tag before the record.")]
    public bool OutputTag { get; set; } = true;

    [Parameter("delimiter", "Between time, tag and record: SPACE, COMMA or TAB (fluentd reads anything else as TAB).")]
    public string Delimiter { get; set; } = "\t";

    [Parameter("time_type", "How the time is written: string (time_format, ISO 8601 by default), float or unixtime.",
        AllowedValues = new[] { "string", "float", "unixtime" })]
    public string TimeType { get; set; } = "string";

    [Parameter("time_format", "strftime format of the time (Ruby directives); ISO 8601 when empty.")]
    public string? TimeFormat { get; set; }

    [Parameter("time_as_epoch", "Deprecated form of time_type unixtime.")]
    public bool TimeAsEpoch { get; set; }

    [Parameter("localtime", "Write the time in local time.")]
    public bool LocalTime { get; set; } = true;

    [Parameter("utc", "Write the time in UTC.")]
    public bool Utc { get; set; }

    [Parameter("timezone", "Write the time at this offset or zone, e.g. +09:00 or Asia/Tokyo.")]
    public string? Timezone { get; set; }

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        if (config.Has("localtime") && config.Has("utc"))
            throw new ConfigException("both of utc and localtime are specified, use only one of them", config);
        // formatter_out_file.rb reads the delimiter by name and falls back to a tab for anything else.
        _delimiter = Delimiter.Contains("SPACE", StringComparison.OrdinalIgnoreCase) ? " "
            : Delimiter.Contains("COMMA", StringComparison.OrdinalIgnoreCase) ? "," : "\t";
        RubyTimeZone zone;
        try
        {
            zone = RubyTimeZone.FromParameters(LocalTime, Utc, Timezone);
        }
        catch (FormatException e)
        {
            throw new ConfigException(e.Message, config);
        }
        _time = new EventTimeFormatter(TimeAsEpoch ? "unixtime" : TimeType, TimeFormat, zone);
    }

    public override void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output)
    {
        if (OutputTime)
        {
            WriteText(output, _time!.Format(time));
            WriteText(output, _delimiter);
        }
        if (OutputTag)
        {
            WriteText(output, tag);
            WriteText(output, _delimiter);
        }
        RecordJson.Write(output, record);
        WriteText(output, "\n");
    }
}
