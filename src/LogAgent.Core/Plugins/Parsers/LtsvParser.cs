using System.Text.RegularExpressions;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>ltsv</c> parser (lib/fluent/plugin/parser_ltsv.rb), Labeled Tab-Separated Values
/// (<c>host:127.0.0.1&lt;TAB&gt;status:200</c>, http://ltsv.org/). A field without the label delimiter is skipped;
/// the value is everything after the first label delimiter.
/// </summary>
[Plugin(PluginKind.Parser, "ltsv", "Parses Labeled Tab-Separated Values (label:value pairs).")]
public sealed class LtsvParser : ParserPlugin
{
    private Regex? _delimiterRegex;

    [Parameter("delimiter", "The string between fields.")]
    public string Delimiter { get; set; } = "\t";

    [Parameter("delimiter_pattern", "A regular expression between fields, instead of delimiter (e.g. /\\s+/).")]
    public string? DelimiterPattern { get; set; }

    [Parameter("label_delimiter", "The string between a label and its value.")]
    public string LabelDelimiter { get; set; } = ":";

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        if (Delimiter.Length == 0 || LabelDelimiter.Length == 0)
            throw new ConfigException("ltsv: delimiter and label_delimiter must not be empty", config);
        if (DelimiterPattern is not null)
        {
            try
            {
                _delimiterRegex = RubyRegex.Parse(DelimiterPattern);
            }
            catch (FormatException e)
            {
                throw new ConfigException(e.Message, config);
            }
        }
    }

    public override bool TryParse(string text, out EventTime? time, out Record record)
    {
        record = new Record();
        var fields = _delimiterRegex is not null ? _delimiterRegex.Split(text) : text.Split(Delimiter);
        foreach (var field in fields)
        {
            int at = field.IndexOf(LabelDelimiter, StringComparison.Ordinal);
            if (at < 0) continue;
            record[field[..at]] = field[(at + LabelDelimiter.Length)..];
        }
        return TryFinish(record, out time);
    }
}
