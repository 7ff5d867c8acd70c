using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>apache2</c> parser (lib/fluent/plugin/parser_apache2.rb): Apache's <c>combined</c> access log.
/// Unlike the generic regexp parser it types its fields: <c>code</c> and <c>size</c> are integers, and
/// <c>-</c> in host, user, size, referer and agent (and code 0) becomes null. The time format is fixed.
/// </summary>
[Plugin(PluginKind.Parser, "apache2", "Parses Apache's combined access log format.")]
public sealed class Apache2Parser : ParserPlugin
{
    // The same expression as fluentd's REGEXP; a quoted field may contain backslash-escaped characters.
    private static readonly Regex Pattern = RubyRegex.Compile(
        @"^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] ""(?<method>\S+)(?: +(?<path>(?:[^\""]|\\.)*?)(?: +\S*)?)?"" (?<code>[^ ]*) (?<size>[^ ]*)(?: ""(?<referer>(?:[^\""]|\\.)*)"" ""(?<agent>(?:[^\""]|\\.)*)"")?$");

    public const string ApacheTimeFormat = "%d/%b/%Y:%H:%M:%S %z";

    private EventTimeParser? _apacheTime;

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        _apacheTime = CreateTimeParser("string", ApacheTimeFormat);
    }

    public override bool TryParse(string text, out EventTime? time, out Record record)
    {
        time = null;
        record = new Record(9);
        var m = Pattern.Match(text);
        if (!m.Success) return false;
        var timeText = m.Groups["time"].Value;
        if (!_apacheTime!.TryParseString(timeText, out var parsed)) return false;
        time = parsed;

        long code = RubyNumber.ParseIntegerPrefix(m.Groups["code"].Value);
        var size = m.Groups["size"].Value;
        record["host"] = Dash(m.Groups["host"].Value);
        record["user"] = Dash(m.Groups["user"].Value);
        record["method"] = m.Groups["method"].Value;
        record["path"] = m.Groups["path"].Success ? m.Groups["path"].Value : null;
        record["code"] = code == 0 ? null : code;
        record["size"] = size == "-" ? null : RubyNumber.ParseIntegerPrefix(size);
        record["referer"] = m.Groups["referer"].Success ? Dash(m.Groups["referer"].Value) : null;
        record["agent"] = m.Groups["agent"].Success ? Dash(m.Groups["agent"].Value) : null;
        if (KeepTimeKey) record["time"] = timeText;
        ConvertValues(record);
        return true;
    }

    private static string? Dash(string value) => value == "-" ? null : value;
}
