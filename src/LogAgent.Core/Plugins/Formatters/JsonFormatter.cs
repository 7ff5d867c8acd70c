using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Formatters;

/// <summary>
/// fluentd's <c>json</c> formatter (lib/fluent/plugin/formatter_json.rb): the record as compact JSON, one per
/// line by default. The tag and time are not included (fluentd adds them only through &lt;inject&gt;).
/// </summary>
[Plugin(PluginKind.Formatter, "json", "Writes the record as one line of JSON.")]
public sealed class JsonFormatter : FormatterPlugin
{
    private string _newline = "\n";

    [Parameter("add_newline", "End each record with a newline.")]
    public bool AddNewline { get; set; } = true;

    [Parameter("newline", "The line end: lf or crlf.", AllowedValues = new[] { "lf", "crlf" })]
    public string Newline { get; set; } = "lf";

    [Parameter("json_parser", "Accepted for fluentd compatibility (oj, yajl); LogAgent has one JSON writer.")]
    public string JsonParser { get; set; } = "oj";

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        _newline = NewlineText(Newline);
    }

    public override void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output)
    {
        RecordJson.Write(output, record);
        if (AddNewline) WriteText(output, _newline);
    }

    public override bool TryFormat(string tag, EventTime time, ReadOnlyMemory<byte> recordMsgpack, IBufferWriter<byte> output)
    {
        if (!RecordJson.TryWriteMsgpack(output, recordMsgpack)) return false;
        if (AddNewline) WriteText(output, _newline);
        return true;
    }
}
