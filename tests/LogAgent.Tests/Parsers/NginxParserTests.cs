using System.Text;
using System.Buffers;
using System.Text.RegularExpressions;
using MessagePack;
using LogAgent.Core.Plugins.Parsers;
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

    [Theory]
    [InlineData("127.0.0.1 192.168.0.1 - [28/Feb/2013:12:00:00 +0900] \"GET / HTTP/1.1\" 200 777 \"-\" \"Opera/12.0\"")]
    [InlineData("127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /a  b   HTTP/1.1\" 200 777")]
    [InlineData("127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET    \" 200 777 \"-\" \"-\"")]
    [InlineData("127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"-\" 400 0 \"-\" \"-\"")]
    [InlineData("127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /a\tb HTTP/1.1\" 200 777 \"-\" \"-\" \t \"1.2.3.4\"")]
    [InlineData("127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /a HTTP/1.1\"x\" 200 777 \"-\" \"-\"")]
    [InlineData("127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /a HTTP/1.1\" 200 777 \"-\" \"-\"   ")]
    [InlineData("127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /a HTTP/1.1\" 200 777 \"-\" \"-\" \"1.2.3.4")]
    [InlineData("127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /a HTTP/1.1\" 200 777 \"-\" \"-\" 1.2.3.4, 5.6.7.8")]
    [InlineData("127.0.0.1 - - [28/Feb/2013:12:00:00 +0900] \"GET /a HTTP/1.1\" 200 777 \"-\" \"-\"\nnext")]
    [InlineData("127.0.0.1  - [28/Feb/2013:12:00:00 +0900] \"GET / HTTP/1.1\" 200 777 \"-\" \"-\"")]
    public void Splits_by_hand_exactly_as_the_expression_does(string line) => AssertSameAsExpression(line);

    private static readonly Regex DefaultExpression = ((NginxParser)Build("nginx")).Regex;

    // Lines of the usual shape with one to three characters replaced by those the expression's choices hinge on.
    [Fact]
    public void Splits_mutated_lines_exactly_as_the_expression_does()
    {
        const string line = "10.1.2.3 - bob [28/Feb/2013:12:00:00 +0900] \"GET /a/b?c=d HTTP/1.1\" 200 777 \"http://x/\" \"Mozilla/5.0 (X11)\" \"1.2.3.4\"";
        int byHand = 0;
        foreach (var mutated in Mutations(line, " \"[]\t-/aH\\\n", seed: 5, minChanges: 1))
            if (AssertSameAsExpression(mutated)) byHand++;
        Assert.True(byHand > 1000, $"only {byHand} of the mutated lines were split by hand");
    }

    // The tail writes nginx entries straight to msgpack (IEntryWritingParser): each must be byte for byte what
    // parsing into a record and encoding it gives, and lines it declines must be the ones it cannot be sure of.
    [Fact]
    public void Written_entries_are_the_bytes_the_record_path_encodes()
    {
        var parser = (NginxParser)Build("nginx");
        const string line = "10.1.2.3 - bob [28/Feb/2013:12:00:00 +0900] \"GET /a/b?c=d HTTP/1.1\" 200 777 \"http://x/\" \"Mozilla/5.0 (X11) e\" \"1.2.3.4\"";
        int written = 0, nonAscii = 0;
        foreach (var text in Mutations(line, " \"[]\t-/aH\\\n9:+\u00e9\u00a0", seed: 7, minChanges: 0))
        {
            var direct = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(direct);
            bool wrote = ((IEntryWritingParser)parser).TryWriteEntry(Encoding.UTF8.GetBytes(text), ref writer);
            writer.Flush();
            if (!Ascii.IsValid(text))
            {
                // Where a byte is not the char the expression sees (é; a no-break space is \s to .NET's regex), the
                // record path decides.
                nonAscii++;
                Assert.False(wrote, $"non-ASCII line written directly: {text}");
            }
            if (!wrote)
            {
                Assert.Equal(0, direct.WrittenCount);
                continue;
            }
            written++;
            Assert.True(parser.TryParse(text, out var time, out var record), $"written, but the record path rejects: {text}");
            var viaRecord = new ArrayBufferWriter<byte>();
            writer = new MessagePackWriter(viaRecord);
            writer.WriteArrayHeader(2);
            time!.Value.WriteTo(ref writer);
            RecordCodec.WriteValue(ref writer, record);
            writer.Flush();
            Assert.True(viaRecord.WrittenSpan.SequenceEqual(direct.WrittenSpan), $"entries differ for: {text}");
        }
        Assert.True(written > 5000, $"only {written} lines were written directly");
        Assert.True(nonAscii > 1000, $"only {nonAscii} non-ASCII lines");
    }

    [Fact]
    public void Options_that_change_the_record_take_the_record_path()
    {
        const string line = "127.0.0.1 192.168.0.1 - [28/Feb/2013:12:00:00 +0900] \"GET / HTTP/1.1\" 200 777 \"-\" \"Opera/12.0\"";
        foreach (var option in new[] { ("time_type", "mixed"), ("keep_time_key", "true"), ("types", "code:integer"), ("null_empty_string", "true"), ("null_value_pattern", "^-$") })
        {
            var parser = (IEntryWritingParser)Build("nginx", option);
            var writer = new MessagePackWriter(new ArrayBufferWriter<byte>());
            Assert.False(parser.TryWriteEntry(Encoding.UTF8.GetBytes(line), ref writer), option.Item1);
        }
    }

    /// <summary>20,000 copies of <paramref name="line"/>, each with a few characters replaced from <paramref name="alphabet"/> and a quarter cut short.</summary>
    private static IEnumerable<string> Mutations(string line, string alphabet, int seed, int minChanges)
    {
        var random = new Random(seed);
        for (int i = 0; i < 20_000; i++)
        {
            var chars = line.ToCharArray();
            for (int k = random.Next(minChanges, 4); k > 0; k--) chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            var mutated = new string(chars);
            yield return random.Next(4) == 0 ? mutated[..random.Next(mutated.Length)] : mutated;
        }
    }

    /// <summary>True when the line was split by hand (and then exactly as the expression splits it).</summary>
    private static bool AssertSameAsExpression(string line)
    {
        Span<Range> fields = stackalloc Range[11];
        if (!NginxParser.DefaultFields.Match(line, fields)) return false; // the regex decides
        var match = DefaultExpression.Match(line);
        Assert.True(match.Success, $"split by hand, but the expression does not match: {line}");
        string[] names = ["remote", "host", "user", "time", "method", "path", "code", "size", "referer", "agent", "http_x_forwarded_for"];
        for (int i = 0; i < names.Length; i++)
        {
            var group = match.Groups[names[i]];
            var absent = fields[i].Equals(NginxParser.DefaultFields.Absent);
            Assert.True(group.Success != absent, $"{names[i]} taking part differs for: {line}");
            if (group.Success) Assert.True(group.Value == line[fields[i]], $"{names[i]}: '{line[fields[i]]}' by hand, '{group.Value}' by the expression, in: {line}");
        }
        return true;
    }
}
