using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>json</c> parser (lib/fluent/plugin/parser_json.rb): one JSON object per text. Integers stay
/// integers and numbers with a fraction stay floats. As in fluentd, <c>time_type</c> defaults to <c>float</c>
/// (a numeric epoch such as <c>1362020400.5</c>) unless <c>time_format</c> is given, which makes it <c>string</c>.
/// </summary>
[Plugin(PluginKind.Parser, "json", "Parses one JSON object per line.")]
public sealed class JsonParser : ParserPlugin
{
    [Parameter("json_parser", "Accepted for fluentd compatibility (oj, yajl, json); LogAgent has one JSON reader.",
        AllowedValues = new[] { "oj", "yajl", "json" })]
    public string JsonParserName { get; set; } = "oj";

    [Parameter("stream_buffer_size", "Accepted for fluentd compatibility; unused.")]
    public int StreamBufferSize { get; set; } = 8192;

    public override void Configure(ConfigSection config)
    {
        // parser_json.rb: config_set_default :time_type, :float, and 'string' once a time_format is set.
        if (!config.Has("time_type")) TimeType = config.Has("time_format") ? "string" : "float";
        base.Configure(config);
    }

    public override bool TryParse(string text, out EventTime? time, out Record record)
    {
        time = null;
        record = new Record();
        // A top-level array of objects (which fluentd turns into several events) does not fit a one-record
        // TryParse and is rejected like any other non-object value.
        if (!RecordJson.TryParse(text, out var value) || value is not Record parsed) return false;
        record = parsed;
        return TryFinish(record, out time);
    }
}
