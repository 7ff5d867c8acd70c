using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Parsers;

/// <summary>Builds parsers through the real registry and binder, with a fixed clock.</summary>
internal static class ParserBuilder
{
    /// <summary>2013-03-10T00:00:00Z: the "now" of these tests, so year-less syslog times fall in 2013.</summary>
    public static readonly DateTimeOffset Now = new(2013, 3, 10, 0, 0, 0, TimeSpan.Zero);

    public static ParserPlugin Build(string type, params (string Key, string Value)[] parameters)
    {
        var parser = new TestPluginContext().Build<ParserPlugin>(PluginKind.Parser, type, parameters);
        parser.Clock = new FixedClock(Now);
        return parser;
    }

    public static (EventTime? Time, Record Record) Parse(this ParserPlugin parser, string text)
    {
        Assert.True(parser.TryParse(text, out var time, out var record), $"'{text}' did not parse");
        return (time, record);
    }

    public static Record Expect(params (string Key, object? Value)[] fields)
    {
        var record = new Record();
        foreach (var (k, v) in fields) record[k] = v;
        return record;
    }
}
