using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>tsv</c> parser (lib/fluent/plugin/parser_tsv.rb): values split by <c>delimiter</c> into at most as
/// many fields as <c>keys</c>; the last key takes the rest of the line, and keys without a value get null.
/// No quoting, unlike csv.
/// </summary>
[Plugin(PluginKind.Parser, "tsv", "Parses delimiter-separated values without quoting, tab by default.")]
public sealed class TsvParser : ParserPlugin
{
    [Parameter("keys", "Names of the fields, in order.", Required = true)]
    public string[] Keys { get; set; } = Array.Empty<string>();

    [Parameter("delimiter", "The string between values.")]
    public string Delimiter { get; set; } = "\t";

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        if (Keys.Length == 0) throw new ConfigException("tsv: 'keys' must name at least one field", config);
        if (Delimiter.Length == 0) throw new ConfigException("tsv: delimiter must not be empty", config);
    }

    public override bool TryParse(string text, out EventTime? time, out Record record)
    {
        var values = text.Split(Delimiter, Keys.Length);
        record = new Record(Keys.Length);
        for (int i = 0; i < Keys.Length; i++)
            record[Keys[i]] = i < values.Length ? values[i] : null;
        return TryFinish(record, out time);
    }
}
