using LogAgent.Sdk.Events;
using static LogAgent.Tests.Parsers.ParserBuilder;

namespace LogAgent.Tests.Parsers;

// Lines and expectations from fluentd's test/plugin/test_parser_apache2.rb.
public class Apache2ParserTests
{
    private static readonly Record Expected = Expect(
        ("host", "192.168.0.1"), ("user", null), ("method", "GET"), ("path", "/"),
        ("code", 200L), ("size", 777L), ("referer", null), ("agent", "Opera/12.0"));

    [Fact]
    public void Parses_a_combined_log_line_with_typed_code_and_size()
    {
        var (time, record) = Build("apache2").Parse("192.168.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET / HTTP/1.1\" 200 777 \"-\" \"Opera/12.0\"");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.Equal(Expected, record);
        Assert.Equal(Expected.Keys, record.Keys); // fluentd's field order
    }

    [Fact]
    public void Parses_a_request_without_http_version()
    {
        var (time, record) = Build("apache2").Parse("192.168.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /\" 200 777 \"-\" \"Opera/12.0\"");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.Equal(Expected, record);
    }

    [Fact]
    public void Parses_a_common_log_line_with_dash_size()
    {
        var (_, record) = Build("apache2").Parse("10.0.0.7 - frank [10/Oct/2000:13:55:36 -0700] \"POST /apache_pb.gif HTTP/1.0\" 304 -");
        Assert.Equal(Expect(("host", "10.0.0.7"), ("user", "frank"), ("method", "POST"), ("path", "/apache_pb.gif"),
            ("code", 304L), ("size", null), ("referer", null), ("agent", null)), record);
    }

    [Fact]
    public void Keeps_the_time_text_with_keep_time_key()
    {
        var (_, record) = Build("apache2", ("keep_time_key", "true")).Parse("192.168.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET / HTTP/1.1\" 200 777 \"-\" \"Opera/12.0\"");
        Assert.Equal("28/Feb/2013:12:00:00 +0900", record["time"]);
    }

    [Fact]
    public void Does_not_parse_other_text()
    {
        Assert.False(Build("apache2").TryParse("not an access log", out _, out _));
    }
}
