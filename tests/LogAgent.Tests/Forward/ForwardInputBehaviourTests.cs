using System.Net;
using System.Net.Sockets;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;
using MessagePack;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Forward;

/// <summary>The forward input's behaviour beyond the corpus: malformed input, acks and emit failures, and its options.</summary>
public class ForwardInputBehaviourTests
{
    private static async Task AssertClosedByServerAsync(TcpClient client)
    {
        using var timeout = new CancellationTokenSource(ForwardInputHarness.Deadline);
        var rest = await ForwardInputHarness.ReadToEndAsync(client.GetStream(), timeout.Token);
        Assert.Empty(rest);
    }

    private static async Task AssertAckedAsync(TcpClient client, string chunk)
    {
        var expected = Requests.Ack(chunk);
        Assert.Equal(expected, await ForwardInputHarness.ReadExactlyAsync(client.GetStream(), expected.Length));
    }


    [Theory]
    [InlineData("01", "must be an array")]
    [InlineData("80", "must be an array")]
    [InlineData("c1", "is not a msgpack type")]
    [InlineData("95a17401020304", "2 to 4 elements")]
    [InlineData("91a174", "2 to 4 elements")]
    [InlineData("9301ce65e1c34080", "the tag must be a string")]
    [InlineData("92a174c3", "the second element must be")]
    [InlineData("93a174c381a17801", "invalid event: the time must be")]
    [InlineData("93a174ce65e1c34001", "invalid event: the record must be a map")]
    [InlineData("93a174c4020102a474657874", "the option must be a map")]
    [InlineData("92a174c401c1", "malformed msgpack: Unexpected msgpack code 193")]
    [InlineData("92a174a17a", "invalid event: an entry must be [time, record], got integer")]
    public async Task A_malformed_request_closes_only_its_connection_with_one_log_line_naming_the_peer(string hex, string reason)
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        using var good = await harness.ConnectAsync();
        using var bad = await harness.ConnectAsync();
        var badPeer = (IPEndPoint)bad.Client.LocalEndPoint!;

        await bad.GetStream().WriteAsync(Convert.FromHexString(hex));
        await AssertClosedByServerAsync(bad);

        var lines = harness.Logs.Lines.Where(l => l.Message.StartsWith("closing forward connection")).ToList();
        var line = Assert.Single(lines);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains($"127.0.0.1:{badPeer.Port}", line.Message);
        Assert.True(line.Message.Contains(reason), line.Message);

        // The other connection, opened before, still works.
        await good.GetStream().WriteAsync(Requests.Message("still.ok", 1709294400, 1, chunk: "c1"));
        await AssertAckedAsync(good, "c1");
        Assert.DoesNotContain(harness.Output.Events, e => e.Tag != "still.ok");
    }

    [Fact]
    public async Task Values_nested_deeper_than_the_limit_are_malformed_not_a_crash()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        using var client = await harness.ConnectAsync();
        var deep = Enumerable.Repeat((byte)0x91, 1_000_000).Append((byte)0xc0).ToArray();
        try
        {
            await client.GetStream().WriteAsync(deep);
        }
        catch (IOException) { } // the server may close before reading it all
        await harness.WaitForLogAsync("nested deeper than 100 levels");
    }

    [Fact]
    public async Task A_request_cut_short_by_the_client_emits_nothing_and_is_logged()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var request = Requests.Message("cut", 1709294400, 1, chunk: "c");
        var replies = await harness.SendAndReadRepliesAsync(request[..^3]);
        Assert.Empty(replies);
        await harness.WaitForLogAsync("closed in the middle of a request");
        Assert.Empty(harness.Output.Events);
    }

    [Fact]
    public async Task When_emit_fails_no_ack_is_sent_the_failure_is_logged_once_and_the_connection_stays_open()
    {
        await using var harness = await ForwardInputHarness.StartAsync(outputParameters: "fail true");
        using var client = await harness.ConnectAsync();

        await client.GetStream().WriteAsync(Requests.Message("doomed", 1709294400, 1, chunk: "first"));
        await harness.WaitForLogAsync("no ack sent");
        // Still open: a second request is read and fails the same way.
        await client.GetStream().WriteAsync(Requests.Message("doomed", 1709294400, 2, chunk: "second"));
        await Eventually.True(() => harness.Logs.Lines.Count(l => l.Message.Contains("no ack sent")) == 2, ForwardInputHarness.Deadline, () => "second failure logged");
        Assert.Equal(0, client.Available);
        Assert.Equal(1, harness.Input.ConnectionCount);
    }

    [Fact]
    public async Task The_ack_is_sent_only_after_the_events_reached_the_output()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        using var client = await harness.ConnectAsync();
        await client.GetStream().WriteAsync(Requests.Message("acked", 1709294400, 7, chunk: "abc"));
        await AssertAckedAsync(client, "abc");
        // No waiting: the emit is synchronous and finished before the ack was written.
        var e = Assert.Single(harness.Output.Events);
        Assert.Equal(7L, e.Record["seq"]);
    }

    [Fact]
    public async Task Time_zero_and_nil_become_the_receive_time()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        harness.Input.Now = () => new EventTime(1234567890, 5);
        var request = Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write("zero");
            w.WriteArrayHeader(3);
            foreach (var (time, seq) in new (long?, int)[] { (0, 1), (null, 2), (1709294400, 3) })
            {
                w.WriteArrayHeader(2);
                if (time is { } t) w.Write(t); else w.WriteNil();
                Requests.WriteRecord(ref w, seq);
            }
        });
        await harness.SendAndReadRepliesAsync(request);
        await harness.WaitForEventsAsync(3);
        Assert.Equal(new uint[] { 1234567890, 1234567890, 1709294400 }, harness.Output.Events.Select(e => e.Time.Seconds));
    }

    [Fact]
    public async Task A_nil_record_is_skipped_silently_and_its_message_is_not_acked()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var request = Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write("nil.record");
            w.Write(1709294400);
            w.WriteNil();
            w.WriteMapHeader(1);
            w.Write("chunk");
            w.Write("x");
        });
        var replies = await harness.SendAndReadRepliesAsync(request.Concat(Requests.Message("after", 1709294400, 1, "y")).ToArray());
        Assert.Equal(Requests.Ack("y"), replies); // in_forward.rb: `return if record.nil?` before the option is returned
        Assert.Equal("after", Assert.Single(harness.Output.Events).Tag);
    }

    [Fact]
    public async Task Add_tag_prefix_prefixes_every_tag_with_a_dot()
    {
        await using var harness = await ForwardInputHarness.StartAsync("add_tag_prefix relay");
        await harness.SendAndReadRepliesAsync(Requests.Message("app.web", 1709294400, 1));
        await harness.WaitForEventsAsync(1);
        Assert.Equal("relay.app.web", harness.Output.Events.Single().Tag);
    }

    [Fact]
    public void An_empty_add_tag_prefix_is_a_config_error()
    {
        var e = Assert.Throws<LogAgent.Sdk.Config.ConfigException>(() => Support.EngineFixture.Build("<source>\n  @type forward\n  add_tag_prefix \"\"\n</source>"));
        Assert.Contains("add_tag_prefix", e.Message);
    }

    private static byte[] ForwardWithOneBadEntry(string chunk) => Requests.Build((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(3);
        w.Write("mixed");
        w.WriteArrayHeader(3);
        w.WriteArrayHeader(2); w.Write(1709294400); Requests.WriteRecord(ref w, 1);
        w.WriteArrayHeader(2); w.Write(1709294401); w.Write("not a map");
        w.WriteArrayHeader(2); w.Write(1709294402); Requests.WriteRecord(ref w, 3);
        w.WriteMapHeader(1); w.Write("chunk"); w.Write(chunk);
    });

    [Fact]
    public async Task Skip_invalid_event_drops_the_invalid_entries_keeps_the_rest_and_acks()
    {
        await using var harness = await ForwardInputHarness.StartAsync("skip_invalid_event true");
        var replies = await harness.SendAndReadRepliesAsync(ForwardWithOneBadEntry("k"));
        Assert.Equal(Requests.Ack("k"), replies);
        Assert.Equal(new object?[] { 1L, 3L }, harness.Output.Events.Select(e => e.Record["seq"]));
        await harness.WaitForLogAsync("skipped 1 invalid events");
    }

    [Fact]
    public async Task Without_skip_invalid_event_an_invalid_entry_rejects_the_whole_request()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var replies = await harness.SendAndReadRepliesAsync(ForwardWithOneBadEntry("k"));
        Assert.Empty(replies);
        Assert.Empty(harness.Output.Events);
        await harness.WaitForLogAsync("the record must be a map");
    }

    [Fact]
    public async Task A_request_over_chunk_size_limit_is_refused_without_ack()
    {
        await using var harness = await ForwardInputHarness.StartAsync("chunk_size_limit 1k");
        var big = Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.Write("big");
            w.Write(1709294400);
            w.WriteMapHeader(1);
            w.Write("pad");
            w.Write(new string('x', 4000));
            w.WriteMapHeader(1); w.Write("chunk"); w.Write("big");
        });
        var replies = await harness.SendAndReadRepliesAsync(big);
        Assert.Empty(replies);
        Assert.Empty(harness.Output.Events);
        // Whole in the buffer it is dropped as fluentd drops it; still arriving it closes the connection. Either way
        // one warning names the limit.
        await Eventually.True(() => harness.Logs.Lines.Any(l => l.Level == LogLevel.Warning && (l.Message.Contains("limit=1024") || l.Message.Contains("larger than 1024 bytes"))),
            ForwardInputHarness.Deadline, () => string.Join("\n", harness.Logs.Lines.Select(l => l.Message)));
    }

    [Fact]
    public async Task A_request_that_would_never_fit_closes_the_connection_before_it_is_buffered()
    {
        await using var harness = await ForwardInputHarness.StartAsync("chunk_size_limit 64k");
        using var client = await harness.ConnectAsync();
        // [tag, bin32 of 100 MB ...: only the header and 200 KiB are sent.
        var header = Convert.FromHexString("93a174c6" + "05f5e100");
        await client.GetStream().WriteAsync(header);
        try
        {
            await client.GetStream().WriteAsync(new byte[200 * 1024]);
        }
        catch (IOException) { }
        await harness.WaitForLogAsync("a request is larger than 65536 bytes");
    }

    [Fact]
    public async Task A_request_over_chunk_size_warn_limit_is_accepted_with_a_warning()
    {
        await using var harness = await ForwardInputHarness.StartAsync("chunk_size_warn_limit 10");
        var replies = await harness.SendAndReadRepliesAsync(Requests.Message("warned", 1709294400, 1, "w"));
        Assert.Equal(Requests.Ack("w"), replies);
        await harness.WaitForLogAsync("chunk_size_warn_limit");
    }

    [Fact]
    public async Task Source_address_and_hostname_keys_add_the_peer_to_each_record()
    {
        await using var harness = await ForwardInputHarness.StartAsync("source_address_key addr\nsource_hostname_key host");
        await harness.SendAndReadRepliesAsync(Requests.Message("src", 1709294400, 1));
        await harness.WaitForEventsAsync(1);
        var record = harness.Output.Events.Single().Record;
        Assert.Equal("127.0.0.1", record["addr"]);
        Assert.False(string.IsNullOrEmpty(record["host"] as string));
        Assert.Equal(1L, record["seq"]);
    }

    [Fact]
    public async Task A_tag_that_is_not_utf8_drops_the_request_without_ack_and_keeps_the_connection()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var badTag = Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(4);
            w.WriteStringHeader(2); w.WriteRaw(new byte[] { 0xff, 0xfe });
            w.Write(1709294400);
            Requests.WriteRecord(ref w, 1);
            w.WriteMapHeader(1); w.Write("chunk"); w.Write("bad");
        });
        var replies = await harness.SendAndReadRepliesAsync(badTag.Concat(Requests.Message("good", 1709294400, 2, "good")).ToArray());
        Assert.Equal(Requests.Ack("good"), replies);
        Assert.Equal("good", Assert.Single(harness.Output.Events).Tag);
        await harness.WaitForLogAsync("not valid UTF-8");
    }

    [Fact]
    public async Task Deny_keepalive_closes_the_connection_after_the_first_request()
    {
        await using var harness = await ForwardInputHarness.StartAsync("deny_keepalive true");
        using var client = await harness.ConnectAsync();
        await client.GetStream().WriteAsync(Requests.Message("once", 1709294400, 1, "once"));
        await AssertAckedAsync(client, "once");
        await AssertClosedByServerAsync(client);
    }
}
