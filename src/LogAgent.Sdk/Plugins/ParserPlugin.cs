using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Plugins;

/// <summary>
/// Turns a line of text into a time and a record (fluentd's parser plugins). The common parameters every
/// fluentd parser has are declared here once.
/// </summary>
public abstract class ParserPlugin : Plugin
{
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
    /// Parses one text. Returns false when the text does not match the format (the caller decides whether that is
    /// a warning, an @ERROR event or an unmatched line). A time of null means the text carried none.
    /// </summary>
    public abstract bool TryParse(string text, out EventTime? time, out Record record);
}
