using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Parsers;

/// <summary>
/// fluentd's <c>apache_error</c> parser (lib/fluent/plugin/parser_apache_error.rb): Apache's error log,
/// <c>[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] message</c>. The time has no time_format, so it is
/// read the Time.parse way (ctime form) in the configured zone.
/// </summary>
[Plugin(PluginKind.Parser, "apache_error", "Parses Apache's error log format.")]
public sealed class ApacheErrorParser : RegexpParser
{
    public const string DefaultExpression =
        @"/^\[[^ ]* (?<time>[^\]]*)\] \[(?<level>[^\]]*)\](?: \[pid (?<pid>[^\]]*)\])?( \[client (?<client>[^\]]*)\])? (?<message>.*)$/";

    public ApacheErrorParser()
    {
        Expression = DefaultExpression;
    }
}
