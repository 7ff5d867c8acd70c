using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>nginx</c> parser (lib/fluent/plugin/parser_nginx.rb): nginx's default <c>combined</c> access log,
/// optionally followed by <c>$http_x_forwarded_for</c> (quoted or not). All values stay strings, <c>-</c> included.
/// </summary>
[Plugin(PluginKind.Parser, "nginx", "Parses nginx's default access log format.")]
public sealed class NginxParser : RegexpParser
{
    public const string DefaultExpression =
        @"/^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] ""(?<method>\S+)(?: +(?<path>[^\""]*?)(?: +\S*)?)?"" (?<code>[^ ]*) (?<size>[^ ]*)(?: ""(?<referer>[^\""]*)"" ""(?<agent>[^\""]*)""(?:\s+\""?(?<http_x_forwarded_for>[^\""]*)\""?)?)?$/";

    public const string DefaultTimeFormat = "%d/%b/%Y:%H:%M:%S %z";

    public NginxParser()
    {
        Expression = DefaultExpression;
        TimeFormat = DefaultTimeFormat;
    }
}
