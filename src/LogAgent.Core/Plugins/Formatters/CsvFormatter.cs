using System.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Formatters;

/// <summary>
/// fluentd's <c>csv</c> formatter (lib/fluent/plugin/formatter_csv.rb), writing as Ruby's CSV does: with
/// force_quotes (the default) every value is quoted, a missing one as <c>""</c>; without it only values holding
/// the delimiter, a quote or a line break are quoted, an empty string is <c>""</c> and a missing value is nothing.
/// Quotes inside values are doubled.
/// </summary>
[Plugin(PluginKind.Formatter, "csv", "Writes chosen fields as a CSV row.")]
public sealed class CsvFormatter : FormatterPlugin
{
    private string _delimiter = ",";

    [Parameter("fields", "The fields to write, in order.", Required = true)]
    public string[] Fields { get; set; } = Array.Empty<string>();

    [Parameter("delimiter", "The string between values; \\t or TAB for a tab.")]
    public string Delimiter { get; set; } = ",";

    [Parameter("force_quotes", "Quote every value.")]
    public bool ForceQuotes { get; set; } = true;

    [Parameter("add_newline", "End each row with a newline.")]
    public bool AddNewline { get; set; } = true;

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        Fields = Fields.Where(f => f.Length > 0).ToArray();
        if (Fields.Length == 0) throw new ConfigException("empty value is specified in fields parameter", config);
        _delimiter = Delimiter is "\\t" or "TAB" ? "\t" : Delimiter;
    }

    public override void Format(string tag, EventTime time, Record record, IBufferWriter<byte> output)
    {
        for (int i = 0; i < Fields.Length; i++)
        {
            if (i > 0) WriteText(output, _delimiter);
            record.TryGetValue(Fields[i], out var value);
            WriteField(output, value);
        }
        if (AddNewline) WriteText(output, "\n");
    }

    private void WriteField(IBufferWriter<byte> output, object? value)
    {
        if (value is null)
        {
            if (ForceQuotes) WriteText(output, "\"\"");
            return;
        }
        var text = RubyValueText.ToS(value);
        bool quote = ForceQuotes || text.Length == 0 || text.Contains(_delimiter, StringComparison.Ordinal)
            || text.AsSpan().IndexOfAny('"', '\r', '\n') >= 0;
        if (!quote)
        {
            WriteText(output, text);
            return;
        }
        WriteText(output, "\"");
        WriteText(output, text.Replace("\"", "\"\""));
        WriteText(output, "\"");
    }
}
