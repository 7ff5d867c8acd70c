using LogAgent.Sdk.Events;

namespace LogAgent.Core.Plugins.Filters;

/// <summary>
/// What record_transformer's placeholders can refer to for one event: values derived from the tag are computed
/// once per stream (as filter_stream does in filter_record_transformer.rb), the time text only when a template
/// asks for it.
/// </summary>
public sealed class PlaceholderScope
{
    private readonly TimeZoneInfo _zone;
    private string? _timeText;

    public PlaceholderScope(string tag, string hostname, TimeZoneInfo zone)
    {
        Tag = tag;
        Hostname = hostname;
        _zone = zone;
        TagParts = RubyText.Split(tag, '.');
        TagPrefix = new string[TagParts.Length];
        TagSuffix = new string[TagParts.Length];
        for (int i = 0; i < TagParts.Length; i++)
            TagPrefix[i] = i == 0 ? TagParts[0] : TagPrefix[i - 1] + "." + TagParts[i];
        for (int i = TagParts.Length - 1; i >= 0; i--)
            TagSuffix[i] = i == TagParts.Length - 1 ? TagParts[i] : TagParts[i] + "." + TagSuffix[i + 1];
    }

    public string Tag { get; }
    public string Hostname { get; }

    /// <summary><c>tag.split('.')</c>.</summary>
    public string[] TagParts { get; }

    /// <summary>tag_prefix[i]: the first i+1 parts joined with dots.</summary>
    public string[] TagPrefix { get; }

    /// <summary>tag_suffix[i]: the parts from i to the end joined with dots.</summary>
    public string[] TagSuffix { get; }

    public EventTime Time { get; private set; }

    /// <summary>The incoming record (placeholders read the original, never the record being built).</summary>
    public Record Record { get; private set; } = new();

    /// <summary><c>${time}</c>: <c>Time.at(time).to_s</c>, e.g. <c>2010-05-04 03:02:01 +0000</c>.</summary>
    public string TimeText => _timeText ??= RubyText.TimeToS(Time, _zone);

    public void MoveTo(EventTime time, Record record)
    {
        Time = time;
        Record = record;
        _timeText = null;
    }
}
