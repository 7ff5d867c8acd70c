using LogAgent.Sdk.Events;
using static LogAgent.Tests.Parsers.ParserBuilder;

namespace LogAgent.Tests.Parsers;

// Lines and expectations from fluentd's test/plugin/test_parser_syslog.rb. Times are read in UTC here so the
// expected values do not depend on the machine's zone; "now" is 2013-03-10, so year-less times are in 2013.
public class SyslogParserTests
{
    private static readonly EventTime Feb28Noon = new(1362052800, 0); // 2013-02-28T12:00:00Z

    private static readonly Record Expected = Expect(
        ("host", "192.168.0.1"), ("ident", "fluentd"), ("pid", "11111"), ("message", "[error] Syslog test"));

    [Theory]
    [InlineData("regexp")]
    [InlineData("string")]
    public void Parses_rfc3164(string parserType)
    {
        var (time, record) = Build("syslog", ("utc", "true"), ("parser_type", parserType))
            .Parse("Feb 28 12:00:00 192.168.0.1 fluentd[11111]: [error] Syslog test");
        Assert.Equal(Feb28Noon, time);
        Assert.Equal(Expected, record);
    }

    [Theory]
    [InlineData("regexp")]
    [InlineData("string")]
    public void Parses_rfc3164_with_priority(string parserType)
    {
        var (time, record) = Build("syslog", ("utc", "true"), ("with_priority", "true"), ("parser_type", parserType))
            .Parse("<6>Feb 28 12:00:00 192.168.0.1 fluentd[11111]: [error] Syslog test");
        Assert.Equal(Feb28Noon, time);
        Assert.Equal(6L, record["pri"]);
        Assert.Equal("fluentd", record["ident"]);
        Assert.Equal("[error] Syslog test", record["message"]);
    }

    [Theory]
    [InlineData("regexp")]
    [InlineData("string")]
    public void Rejects_an_empty_priority(string parserType)
    {
        Assert.False(Build("syslog", ("with_priority", "true"), ("parser_type", parserType))
            .TryParse("<>Feb 28 12:00:00 192.168.0.1 fluentd[11111]: [error] Syslog test", out _, out _));
    }

    [Theory]
    [InlineData("regexp")]
    [InlineData("string")]
    public void Parses_without_colon_after_ident(string parserType)
    {
        var (_, record) = Build("syslog", ("utc", "true"), ("parser_type", parserType))
            .Parse("Feb 28 12:00:00 192.168.0.1 fluentd[11111] [error] Syslog test");
        Assert.Equal(Expected, record);
    }

    [Theory]
    [InlineData("regexp")]
    [InlineData("string")]
    public void Uses_a_custom_time_format(string parserType)
    {
        var (time, _) = Build("syslog", ("utc", "true"), ("time_format", "%b %d %M:%S:%H"), ("parser_type", parserType))
            .Parse("Feb 28 00:00:12 192.168.0.1 fluentd[11111]: [error] Syslog test");
        Assert.Equal(Feb28Noon, time);
    }

    [Theory]
    [InlineData("regexp")]
    [InlineData("string")]
    public void Reads_subsecond_times(string parserType)
    {
        var (time, record) = Build("syslog", ("utc", "true"), ("time_format", "%b %d %H:%M:%S.%N"), ("parser_type", parserType))
            .Parse("Feb 28 12:00:00.456 192.168.0.1 fluentd[11111]: [error] Syslog test");
        Assert.Equal(new EventTime(1362052800, 456000000), time);
        Assert.Equal(Expected, record);
    }

    [Fact]
    public void Keeps_the_time_text_with_keep_time_key()
    {
        var (_, record) = Build("syslog", ("time_format", "%b %d %M:%S:%H"), ("keep_time_key", "true"))
            .Parse("Feb 28 00:00:12 192.168.0.1 fluentd[11111]: [error] Syslog test");
        Assert.Equal("Feb 28 00:00:12", record["time"]);
    }

    [Fact]
    public void Regexp_and_string_readers_differ_on_a_message_without_ident_as_in_fluentd()
    {
        const string line = "Aug 10 12:00:00 127.0.0.1 value1,value2,value3,value4";
        Assert.Equal(Expect(("host", "127.0.0.1"), ("ident", "value1,value2,value3,value4"), ("message", "")),
            Build("syslog", ("parser_type", "regexp")).Parse(line).Record);
        Assert.Equal(Expect(("host", "127.0.0.1"), ("message", "value1,value2,value3,value4")),
            Build("syslog", ("parser_type", "string")).Parse(line).Record);
    }

    [Fact]
    public void Parses_a_padded_day_and_a_colonless_ident()
    {
        var (time, record) = Build("syslog", ("utc", "true")).Parse("Feb  5 17:32:18 10.0.0.99 Use the BFG!");
        Assert.Equal(Expect(("host", "10.0.0.99"), ("ident", "Use"), ("message", "the BFG!")), record);
        Assert.Equal(new DateTimeOffset(2013, 2, 5, 17, 32, 18, TimeSpan.Zero), time!.Value.ToDateTimeOffset());
    }

    [Fact]
    public void Parses_rfc5424_with_priority()
    {
        var (time, record) = Build("syslog", ("message_format", "rfc5424"), ("with_priority", "true"))
            .Parse("<16>1 2017-02-06T13:14:15.003Z 192.168.0.1 fluentd - - - Hi, from Fluentd!");
        Assert.Equal(new EventTime(1486386855, 3000000), time);
        Assert.Equal(Expect(("pri", 16L), ("host", "192.168.0.1"), ("ident", "fluentd"), ("pid", "-"), ("msgid", "-"),
            ("extradata", "-"), ("message", "Hi, from Fluentd!")), record);
    }

    [Fact]
    public void Parses_rfc5424_multiline_message_and_trailing_newline()
    {
        var parser = Build("syslog", ("message_format", "rfc5424"), ("with_priority", "true"));
        Assert.Equal("Hi,\nfrom\nFluentd!", parser.Parse("<16>1 2017-02-06T13:14:15.003Z 192.168.0.1 fluentd - - - Hi,\nfrom\nFluentd!").Record["message"]);
        Assert.Equal("Hi, from Fluentd!", parser.Parse("<16>1 2017-02-06T13:14:15.003Z 192.168.0.1 fluentd - - - Hi, from Fluentd!\n").Record["message"]);
    }

    [Fact]
    public void Parses_rfc5424_without_priority_or_message()
    {
        var (time, record) = Build("syslog", ("message_format", "rfc5424")).Parse("2017-02-06T13:14:15.003Z 192.168.0.1 fluentd - - -");
        Assert.Equal(new EventTime(1486386855, 3000000), time);
        Assert.False(record.ContainsKey("message"));
        Assert.Equal("-", record["extradata"]);
    }

    [Fact]
    public void Parses_rfc5424_with_microseconds_and_pid()
    {
        var (time, record) = Build("syslog", ("message_format", "rfc5424"), ("with_priority", "true"))
            .Parse("<28>1 2018-09-26T15:54:26.620412+09:00 machine minissdpd 1298 - -  peer 192.168.0.5:50123 is not from a LAN");
        Assert.Equal(new EventTime(1537944866, 620412000), time);
        Assert.Equal("1298", record["pid"]);
        Assert.Equal(" peer 192.168.0.5:50123 is not from a LAN", record["message"]);
    }

    [Fact]
    public void Parses_rfc5424_structured_data()
    {
        var (_, record) = Build("syslog", ("message_format", "rfc5424"), ("with_priority", "true"))
            .Parse("<16>1 2017-02-06T13:14:15.003Z 192.168.0.1 fluentd 11111 ID24224 [exampleSDID@20224 iut=\"3\" eventSource=\"Application\" eventID=\"11211\"][exampleSDID@20224 class=\"high\"] Hi, from Fluentd!");
        Assert.Equal("11111", record["pid"]);
        Assert.Equal("ID24224", record["msgid"]);
        Assert.Equal("[exampleSDID@20224 iut=\"3\" eventSource=\"Application\" eventID=\"11211\"][exampleSDID@20224 class=\"high\"]", record["extradata"]);
        Assert.Equal("Hi, from Fluentd!", record["message"]);
    }

    [Fact]
    public void Parses_rfc5424_time_without_fraction()
    {
        var (time, _) = Build("syslog", ("message_format", "rfc5424"), ("with_priority", "true"))
            .Parse("<16>1 2017-02-06T13:14:15Z 192.168.0.1 fluentd - - - Hi");
        Assert.Equal(new EventTime(1486386855, 0), time);
    }

    [Fact]
    public void Auto_tells_the_formats_apart()
    {
        var parser = Build("syslog", ("message_format", "auto"), ("with_priority", "true"), ("utc", "true"));
        var (t5424, r5424) = parser.Parse("<16>1 2017-02-06T13:14:15.003Z 192.168.0.1 fluentd - - - Hi, from Fluentd!");
        var (t3164, r3164) = parser.Parse("<6>Feb 28 12:00:00 192.168.0.1 fluentd[11111]: [error] Syslog test");
        Assert.Equal(new EventTime(1486386855, 3000000), t5424);
        Assert.Equal("-", r5424["msgid"]);
        Assert.Equal(Feb28Noon, t3164);
        Assert.Equal("11111", r3164["pid"]);
    }
}
