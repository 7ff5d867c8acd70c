using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using static LogAgent.Tests.Parsers.ParserBuilder;

namespace LogAgent.Tests.Parsers;

/// <summary>The csv, tsv, ltsv and none parsers: text split into fields without a regular expression.</summary>
public class DelimitedParserTests
{
    [Fact]
    public void Csv_reads_quotes_and_maps_keys()
    {
        var parser = Build("csv", ("keys", "time,host,message,missing"), ("time_format", "%Y-%m-%d %H:%M:%S"), ("utc", "true"));
        var (time, record) = parser.Parse("2013-02-28 03:00:00,\"web,1\",\"say \"\"hi\"\"\"");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.Equal(Expect(("host", "web,1"), ("message", "say \"hi\""), ("missing", null)), record);
    }

    [Fact]
    public void Csv_empty_unquoted_is_null_and_quoted_is_empty()
    {
        var (_, record) = Build("csv", ("keys", "a,b,c")).Parse("x,,\"\"");
        Assert.Equal(Expect(("a", "x"), ("b", null), ("c", "")), record);
    }

    [Theory]
    [InlineData("\"unclosed,b")]
    [InlineData("a\"b,c")]
    [InlineData("\"a\"b,c")]
    public void Csv_rejects_malformed_rows(string line)
    {
        Assert.False(Build("csv", ("keys", "a,b")).TryParse(line, out _, out _));
    }

    [Fact]
    public void Csv_requires_keys()
    {
        Assert.Throws<ConfigException>(() => Build("csv"));
    }

    [Fact]
    public void Tsv_gives_the_rest_of_the_line_to_the_last_key()
    {
        var (_, record) = Build("tsv", ("keys", "a,b")).Parse("1\t2\t3");
        Assert.Equal(Expect(("a", "1"), ("b", "2\t3")), record);
        Assert.Equal(Expect(("a", "1"), ("b", null)), Build("tsv", ("keys", "a,b")).Parse("1").Record);
    }

    [Fact]
    public void Ltsv_reads_labels_and_skips_unlabelled_fields()
    {
        var (time, record) = Build("ltsv", ("time_format", "%d/%b/%Y:%H:%M:%S %z"))
            .Parse("time:28/Feb/2013:12:00:00 +0900\thost:192.168.0.1\tjunk\treq:GET /a:b HTTP/1.1");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.Equal(Expect(("host", "192.168.0.1"), ("req", "GET /a:b HTTP/1.1")), record);
    }

    [Fact]
    public void Ltsv_with_custom_delimiters()
    {
        var (_, record) = Build("ltsv", ("delimiter", ","), ("label_delimiter", "=")).Parse("a=1,b=2");
        Assert.Equal(Expect(("a", "1"), ("b", "2")), record);
    }

    [Fact]
    public void None_keeps_the_line_as_message()
    {
        var (time, record) = Build("none").Parse("anything at all");
        Assert.Equal(EventTime.FromDateTimeOffset(Now), time);
        Assert.Equal(Expect(("message", "anything at all")), record);
        Assert.Equal(Expect(("log", "x")), Build("none", ("message_key", "log")).Parse("x").Record);
    }
}
