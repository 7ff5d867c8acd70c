using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Formatters;

/// <summary>
/// fluentd's <c>ltsv</c> formatter (lib/fluent/plugin/formatter_ltsv.rb): <c>label:value</c> pairs joined by a tab.
/// Like fluentd it does not escape a delimiter inside a value.
/// </summary>
[Plugin(PluginKind.Formatter, "ltsv", "Writes the record as Labeled Tab-Separated Values.")]
public sealed class LtsvFormatter : FormatterPlugin
{
    [Parameter("delimiter", "The string between fields.")]
    public string Delimiter { get; set; } = "\t";

    [Parameter("label_delimiter", "The string between a label and its value.")]
    public string LabelDelimiter { get; set; } = ":";

    [Parameter("add_newline", "End each record with a newline.")]
    public bool AddNewline { get; set; } = true;

    public override void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output)
    {
        bool first = true;
        foreach (var (label, value) in record)
        {
            if (!first) WriteText(output, Delimiter);
            first = false;
            WriteText(output, label);
            WriteText(output, LabelDelimiter);
            WriteText(output, RubyValueText.ToS(value));
        }
        if (AddNewline) WriteText(output, "\n");
    }
}
