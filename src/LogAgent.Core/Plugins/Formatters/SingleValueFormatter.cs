using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Formatters;

/// <summary>
/// fluentd's <c>single_value</c> formatter (lib/fluent/plugin/formatter_single_value.rb): only the value of
/// <c>message_key</c>, as text; a record without it gives an empty line.
/// </summary>
[Plugin(PluginKind.Formatter, "single_value", "Writes one field's value as a line, e.g. the original log line.")]
public sealed class SingleValueFormatter : FormatterPlugin
{
    private string _newline = "\n";

    [Parameter("message_key", "The field to write.")]
    public string MessageKey { get; set; } = "message";

    [Parameter("add_newline", "End each value with a newline.")]
    public bool AddNewline { get; set; } = true;

    [Parameter("newline", "The line end: lf or crlf.", AllowedValues = new[] { "lf", "crlf" })]
    public string Newline { get; set; } = "lf";

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        _newline = NewlineText(Newline);
    }

    public override void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output)
    {
        record.TryGetValue(MessageKey, out var value);
        WriteText(output, RubyValueText.ToS(value));
        if (AddNewline) WriteText(output, _newline);
    }
}
