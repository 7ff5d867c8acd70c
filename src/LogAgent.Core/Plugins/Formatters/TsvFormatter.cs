using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Formatters;

/// <summary>fluentd's <c>tsv</c> formatter (lib/fluent/plugin/formatter_tsv.rb): the values of <c>keys</c>, in order, without quoting.</summary>
[Plugin(PluginKind.Formatter, "tsv", "Writes chosen fields as tab-separated values.")]
public sealed class TsvFormatter : FormatterPlugin
{
    [Parameter("keys", "The fields to write, in order.", Required = true)]
    public string[] Keys { get; set; } = Array.Empty<string>();

    [Parameter("delimiter", "The string between values.")]
    public string Delimiter { get; set; } = "\t";

    [Parameter("add_newline", "End each line with a newline.")]
    public bool AddNewline { get; set; } = true;

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        if (Keys.Length == 0) throw new ConfigException("tsv: 'keys' must name at least one field", config);
    }

    public override void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output)
    {
        for (int i = 0; i < Keys.Length; i++)
        {
            if (i > 0) WriteText(output, Delimiter);
            record.TryGetValue(Keys[i], out var value);
            WriteText(output, RubyValueText.ToS(value));
        }
        if (AddNewline) WriteText(output, "\n");
    }
}
