using LogAgent.Core.Plugins.Parsers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using static LogAgent.Tests.Parsers.ParserBuilder;

namespace LogAgent.Tests.Parsers;

public class RegexpParserTests
{
    [Fact]
    public void Named_groups_become_fields_in_order_and_time_is_taken_out()
    {
        var parser = Build("regexp",
            ("expression", @"/^(?<host>[^ ]*) \[(?<time>[^\]]*)\] (?<code>\d+)(?: (?<extra>.*))?$/"),
            ("time_format", "%d/%b/%Y:%H:%M:%S %z"));
        var (time, record) = parser.Parse("192.168.0.1 [28/Feb/2013:12:00:00 +0900] 200");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.Equal(new[] { "host", "code" }, record.Keys); // "extra" did not take part
        Assert.Equal("200", record["code"]);
    }

    [Fact]
    public void Ignore_case_flag()
    {
        var parser = Build("regexp", ("expression", "/^(?<level>error|warn)/i"));
        Assert.Equal("ERROR", parser.Parse("ERROR boom").Record["level"]);
    }

    [Fact]
    public void Multiline_flag_lets_dot_cross_newlines()
    {
        Assert.Equal("a\nb", Build("regexp", ("expression", "/^(?<message>.*)$/m")).Parse("a\nb").Record["message"]);
        Assert.Equal("a", Build("regexp", ("expression", "/^(?<message>.*)$/")).Parse("a\nb").Record["message"]);
    }

    [Fact]
    public void Ruby_hex_escape_is_translated()
    {
        Assert.Equal("deadBEEF", Build("regexp", ("expression", @"/id=(?<id>\h+)/")).Parse("id=deadBEEF!").Record["id"]);
    }

    [Fact]
    public void Does_not_parse_a_non_matching_line()
    {
        Assert.False(Build("regexp", ("expression", @"/^(?<n>\d+)$/")).TryParse("abc", out _, out _));
    }

    [Theory]
    [InlineData("/(?<a>x/")]
    [InlineData("/(?<a>x)/q")]
    [InlineData("/(x)/")]
    public void Rejects_bad_expressions_as_config_errors(string expression)
    {
        Assert.Throws<ConfigException>(() => Build("regexp", ("expression", expression)));
    }

    [Fact]
    public void Requires_an_expression()
    {
        Assert.Throws<ConfigException>(() => Build("regexp"));
    }

    [Fact]
    public void Apache_error_log()
    {
        var parser = Build("apache_error", ("utc", "true"));
        var (time, record) = parser.Parse("[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration");
        Assert.Equal(new EventTime(971274772, 0), time);
        Assert.Equal(Expect(("level", "error"), ("client", "127.0.0.1"), ("message", "client denied by server configuration")), record);
    }

    [Fact]
    public void Multiline_joins_formats_and_detects_first_lines()
    {
        var parser = (MultilineParser)Build("multiline",
            ("format_firstline", @"/^\d{4}-\d{2}-\d{2}/"),
            ("format1", @"/^(?<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) /"),
            ("format2", @"/\[(?<thread>[^\]]+)\] (?<message>.*)/"),
            ("time_format", "%Y-%m-%d %H:%M:%S"), ("utc", "true"));
        Assert.True(parser.IsFirstLine("2013-02-28 03:00:00 [main] boom"));
        Assert.False(parser.IsFirstLine("\tat Foo.bar(Foo.java:1)"));
        var (time, record) = parser.Parse("2013-02-28 03:00:00 [main] boom\n\tat Foo.bar(Foo.java:1)");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.Equal(Expect(("thread", "main"), ("message", "boom\n\tat Foo.bar(Foo.java:1)")), record);
    }

    [Fact]
    public void Multiline_rejects_a_gap_in_format_numbers()
    {
        Assert.Throws<ConfigException>(() => Build("multiline", ("format1", "/(?<a>a)/"), ("format3", "/(?<b>b)/")));
    }
}
