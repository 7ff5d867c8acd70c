using LogAgent.Tests.Support;

namespace LogAgent.Tests.Tail;

/// <summary>Every parser through the tail input on lines as real servers write them, and multiline events.</summary>
public class TailParsingTests
{
    private static async Task<TailHarness> Tail(string parse, string content, string extra = "")
    {
        var dir = TailLineTests.WithFile("app.log", content);
        return await TailHarness.StartAsync($"""
            path {"{dir}"}/app.log
            tag app
            read_from_head true
            {extra}
            <parse>
              {parse}
            </parse>
            """, dir);
    }

    private const string JavaTrace = """
        2026-11-26 10:15:02,117 ERROR [http-nio-8080-exec-3] c.e.shop.CheckoutController - payment failed
        java.lang.IllegalStateException: card declined
        	at com.example.shop.Payments.charge(Payments.java:88)
        	at com.example.shop.CheckoutController.checkout(CheckoutController.java:41)
        Caused by: java.net.SocketTimeoutException: Read timed out
        	at java.base/java.net.SocketInputStream.read(SocketInputStream.java:183)
        	... 42 more
        2026-11-26 10:15:03,002 INFO  [http-nio-8080-exec-4] c.e.shop.CartController - cart 8812 updated

        """;

    [Fact]
    public async Task A_java_stack_trace_is_one_event_with_its_first_line_fields()
    {
        await using var h = await Tail("""
            @type multiline
            format_firstline /^\d{4}-\d{2}-\d{2}/
            format1 /^(?<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (?<level>\w+)\s+\[(?<thread>[^\]]+)\] (?<logger>\S+) - (?<message>.*)/
            time_format %Y-%m-%d %H:%M:%S,%L
            """, JavaTrace.Replace("\r\n", "\n"), "multiline_flush_interval 1s");
        // The second event is complete only when a next first line or the flush interval closes it.
        await h.WaitForCount(2);
        var first = h.Output.Events[0].Record;
        Assert.Equal("ERROR", first["level"]);
        Assert.Equal("c.e.shop.CheckoutController", first["logger"]);
        var message = (string)first["message"]!;
        Assert.StartsWith("payment failed\njava.lang.IllegalStateException: card declined\n\tat com.example.shop.Payments.charge", message);
        Assert.EndsWith("\t... 42 more", message);
        Assert.Equal("cart 8812 updated", h.Output.Events[1].Record["message"]);
        Assert.Equal(new DateTimeOffset(2026, 11, 26, 10, 15, 2, 117, TimeZoneInfo.Local.GetUtcOffset(new DateTime(2026, 11, 26))),
            h.Output.Events[0].Time.ToDateTimeOffset());
    }

    private const string RailsLog = """
        Started GET "/orders/42" for 203.0.113.9 at 2026-11-26 10:20:01 +0000
        Processing by OrdersController#show as HTML
          Parameters: {"id"=>"42"}
        Completed 200 OK in 12ms (Views: 8.1ms | ActiveRecord: 1.9ms)
        Started POST "/orders" for 203.0.113.10 at 2026-11-26 10:20:02 +0000
        Processing by OrdersController#create as JSON
        Completed 201 Created in 30ms (ActiveRecord: 11.2ms)
        Started GET "/health" for 127.0.0.1 at 2026-11-26 10:20:03 +0000
        Processing by HealthController#show as HTML
        Completed 200 OK in 1ms

        """;

    [Fact]
    public async Task A_rails_request_log_becomes_one_event_per_request()
    {
        await using var h = await Tail("""
            @type multiline
            format_firstline /^Started/
            format1 /Started (?<method>[^ ]+) "(?<path>[^"]+)" for (?<host>[^ ]+) at (?<time>[^\n]+)\n/
            format2 /Processing by (?<controller>[^\#]+)\#(?<action>[^ ]+) as (?<format>\S+)\n/
            format3 /(?:  Parameters: (?<parameters>[^\n]+)\n)?/
            format4 /Completed (?<code>\d+) [^\n]* in (?<runtime>[\d.]+)ms/
            time_format %Y-%m-%d %H:%M:%S %z
            """, RailsLog.Replace("\r\n", "\n"));
        await h.WaitForCount(2);
        var show = h.Output.Events[0].Record;
        Assert.Equal(new object?[] { "GET", "/orders/42", "OrdersController", "show", "HTML", "{\"id\"=>\"42\"}", "200", "12" },
            new[] { "method", "path", "controller", "action", "format", "parameters", "code", "runtime" }.Select(k => show[k]));
        Assert.Equal("201", h.Output.Events[1].Record["code"]);
        Assert.False(h.Output.Events[1].Record.ContainsKey("parameters"));
        Assert.Equal(DateTimeOffset.Parse("2026-11-26T10:20:01Z"), h.Output.Events[0].Time.ToDateTimeOffset());
        // The third request has no following first line yet: it is held, not emitted broken.
        await Task.Delay(300);
        Assert.Equal(2, h.Output.Events.Count);
        await h.StopAsync();
        Assert.Equal(3, h.Output.Events.Count);
    }

    public static TheoryData<string, string, string, string> RealisticLines() => new()
    {
        { "@type nginx", "203.0.113.9 - alice [26/Nov/2026:10:20:01 +0000] \"GET /cart?id=1 HTTP/1.1\" 200 612 \"https://shop.example/\" \"Mozilla/5.0 (X11; Linux x86_64)\" \"198.51.100.7\"", "path", "/cart?id=1" },
        { "@type apache2", "192.0.2.44 - - [26/Nov/2026:10:20:01 +0000] \"POST /login HTTP/1.1\" 302 - \"-\" \"curl/8.5.0\"", "code", "302" },
        { "@type apache_error", "[Wed Nov 26 10:20:01.123456 2026] [core:error] [pid 1234:tid 5678] [client 192.0.2.44:51234] AH00126: Invalid URI in request GET /../etc/passwd", "level", "core:error" },
        { "@type syslog", "Nov 26 10:20:01 web-1 sshd[4242]: Accepted publickey for deploy from 192.0.2.10 port 51515 ssh2", "ident", "sshd" },
        { "@type json\ntime_format %Y-%m-%dT%H:%M:%S%z", "{\"time\":\"2026-11-26T10:20:01Z\",\"level\":\"warn\",\"msg\":\"slow query\",\"ms\":1834}", "msg", "slow query" },
        { "@type ltsv", "time:26/Nov/2026:10:20:01 +0000\thost:192.0.2.44\treq:GET / HTTP/1.1\tstatus:200\tsize:512", "status", "200" },
        { "@type csv\nkeys time,level,message\ntime_key time", "2026-11-26 10:20:01,info,\"user 42, logged in\"", "message", "user 42, logged in" },
        { "@type tsv\nkeys host,status,path", "192.0.2.44\t404\t/missing", "status", "404" },
        { "@type regexp\nexpression /^(?<level>[A-Z]+) (?<message>.*)$/", "WARN disk 91% full on /var", "message", "disk 91% full on /var" },
        { "@type none", "anything at all", "message", "anything at all" },
    };

    [Theory]
    [MemberData(nameof(RealisticLines))]
    public async Task Each_parser_reads_a_realistic_line(string parse, string line, string key, string value)
    {
        // A line the parser may reject sits between the two: it must not stop the file.
        await using var h = await Tail(parse, line + "\n" + "!!! not a matching line !!!\n" + line + "\n");
        await Eventually.True(() => h.Output.Events.Count(e => e.Record.ContainsKey(key)) >= 2, TimeSpan.FromSeconds(10),
            () => string.Join(" | ", h.Output.Events.Select(e => string.Join(",", e.Record.Keys))) + " / logs: " + string.Join(" | ", h.Logs.Lines.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => l.Message)));
        var matched = h.Output.Events.Where(e => e.Record.GetValueOrDefault(key) is { } v && v.ToString() != "!!! not a matching line !!!").ToList();
        Assert.Equal(2, matched.Count);
        Assert.All(matched, e => Assert.Equal(value, e.Record[key]?.ToString()));
    }

    [Fact]
    public async Task Unmatched_lines_are_emitted_as_unmatched_line_when_asked()
    {
        await using var h = await Tail("@type regexp\nexpression /^(?<n>\\d+)$/", "12\nnope\n13\n", "emit_unmatched_lines true");
        await h.WaitForCount(3);
        Assert.Equal(new object?[] { "12", null, "13" }, h.Output.Events.Select(e => e.Record.GetValueOrDefault("n")));
        Assert.Equal("nope", h.Output.Events[1].Record["unmatched_line"]);
    }

    [Fact]
    public async Task The_legacy_format_parameter_still_configures_the_parser()
    {
        await using var h = await Tail("", "", "");
        await h.StopAsync();
        var dir = TailLineTests.WithFile("app.log", "7 seven\n");
        await using var legacy = await TailHarness.StartAsync("""
            path {dir}/app.log
            tag app
            read_from_head true
            format /^(?<n>\d+) (?<word>\w+)$/
            """, dir);
        await legacy.WaitForCount(1);
        Assert.Equal("seven", legacy.Output.Events[0].Record["word"]);
    }
}
