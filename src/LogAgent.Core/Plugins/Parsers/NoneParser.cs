using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>none</c> parser (lib/fluent/plugin/parser_none.rb): the whole text under <c>message_key</c>;
/// the time is now (or none without estimate_current_event). <c>types</c> and null handling are not applied,
/// as in fluentd.
/// </summary>
[Plugin(PluginKind.Parser, "none", "Keeps the whole line as one field, without parsing.")]
public sealed class NoneParser : ParserPlugin
{
    [Parameter("message_key", "The field that receives the text.")]
    public string MessageKey { get; set; } = "message";

    public override bool TryParse(string text, out EventTime? time, out Record record)
    {
        record = new Record(1) { [MessageKey] = text };
        time = EstimateCurrentEvent ? Now() : null;
        return true;
    }
}
