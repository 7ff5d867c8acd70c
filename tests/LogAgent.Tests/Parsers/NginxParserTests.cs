using LogAgent.Sdk.Events;
using static LogAgent.Tests.Parsers.ParserBuilder;

namespace LogAgent.Tests.Parsers;

// Lines and expectations from fluentd's test/plugin/test_parser_nginx.rb and the nginx parser documentation.
public class NginxParserTests
{
    private static readonly Record Expected = Expect(
        ("remote", "127.0.0.1"), ("host", "192.168.0.1"), ("user", "-"), ("method", "GET"), ("path", "/"),
        ("code", "200"), ("size", "777"), ("referer", "-"), ("agent", "Opera/12.0"));

    [Fact]
    public void Parses_the_default_log_format()
    {
        var (time, record) = Build("nginx").Parse("127.0.0.1 192.168.0.1 - [28/Feb/2013:12:00:00 +0900] \"GET / HTTP/1.1\" 200 777 \"-\" \"Opera/12.0\"");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.Equal(Expected, record);
    }

    [Fact]
    public void Parses_a_path_with_brackets_and_spaces()
    {
        var (_, record) = Build("nginx").Parse("127.0.0.1 192.168.0.1 - [28/Feb/2013:12:00:00 +0900] \"GET /a[ ]b HTTP/1.1\" 200 777 \"-\" \"Opera/12.0\"");
        Assert.Equal("/a[ ]b", record["path"]);
    }

    [Fact]
    public void Parses_a_request_without_http_version()
    {
        var (_, record) = Build("nginx").Parse("127.0.0.1 192.168.0.1 - [28/Feb/2013:12:00:00 +0900] \"GET /\" 200 777 \"-\" \"Opera/12.0\"");
        Assert.Equal(Expected, record);
    }

    [Theory]
    [InlineData("-", "-")]
    [InlineData("\"10.0.0.1, 10.0.0.2\"", "10.0.0.1, 10.0.0.2")]
    public void Reads_the_optional_x_forwarded_for(string suffix, string expected)
    {
        var (_, record) = Build("nginx").Parse("127.0.0.1 192.168.0.1 - [28/Feb/2013:12:00:00 +0900] \"GET / HTTP/1.1\" 200 777 \"-\" \"Opera/12.0\" " + suffix);
        Assert.Equal(expected, record["http_x_forwarded_for"]);
    }
}
