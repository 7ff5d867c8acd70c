using System.Text;
using LogAgent.Core.Forward;
using LogAgent.Core.Plugins.Inputs;
using LogAgent.Sdk.Events;
using MessagePack;
using ZstdSharp;

namespace LogAgent.Tests.Forward;

/// <summary>
/// The request options and forms the corpus has no capture of: <c>compressed</c> zstd and text, Fluent Bit's
/// <c>fluent_signal</c>, the decompressed-size bound, and a single event as JSON. Every frame is built here, byte by
/// byte, with the MessagePack library, so these tests do not lean on LogAgent's own encoder.
/// </summary>
public class ForwardInputProtocolOptionsTests
{
    private static readonly EventTime T1 = new(1709294400, 101234656);
    private static readonly EventTime T2 = new(1709294401, 999999999);

    /// <summary>Two entries <c>[EventTime, {"seq": n, "msg": "héllo"}]</c> as concatenated msgpack.</summary>
    private static byte[] TwoEntries() => Requests.Build((ref MessagePackWriter w) =>
    {
        foreach (var (time, seq) in new[] { (T1, 1), (T2, 2) })
        {
            w.WriteArrayHeader(2);
            time.WriteTo(ref w);
            w.WriteMapHeader(2);
            w.Write("seq");
            w.Write(seq);
            w.Write("msg");
            w.Write("héllo");
        }
    });

    /// <summary><c>[tag, bin entries, {options…}]</c>; <paramref name="options"/> are string pairs.</summary>
    private static byte[] Packed(string tag, byte[] entries, params (string Key, string Value)[] options) => Requests.Build((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(3);
        w.Write(tag);
        w.Write(entries);
        w.WriteMapHeader(options.Length);
        foreach (var (key, value) in options)
        {
            w.Write(key);
            w.Write(value);
        }
    });

    private static byte[] Zstd(byte[] data)
    {
        using var compressor = new Compressor(3);
        return compressor.Wrap(data).ToArray();
    }

    private static void AssertTwoEvents(ForwardInputHarness harness, string tag)
    {
        var events = harness.Output.Events;
        Assert.Equal(2, events.Count);
        Assert.All(events, e => Assert.Equal(tag, e.Tag));
        Assert.Equal(new[] { T1, T2 }, events.Select(e => e.Time));
        Assert.Equal(new object?[] { 1L, 2L }, events.Select(e => e.Record["seq"]));
        Assert.All(events, e => Assert.Equal("héllo", e.Record["msg"]));
    }

    [Fact]
    public async Task Zstd_compressed_entries_are_inflated_emitted_and_acked()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var request = Packed("z.std", Zstd(TwoEntries()), ("compressed", "zstd"), ("chunk", "zstd-1"));
        var replies = await harness.SendAndReadRepliesAsync(request);
        Assert.Equal(Requests.Ack("zstd-1"), replies);
        AssertTwoEvents(harness, "z.std");
    }

    [Fact]
    public async Task Zstd_entries_made_of_several_concatenated_frames_are_all_read()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var entries = TwoEntries();
        int firstEntryLength = entries.Length / 2; // both entries have the same length
        var frames = Zstd(entries[..firstEntryLength]).Concat(Zstd(entries[firstEntryLength..])).ToArray();
        var replies = await harness.SendAndReadRepliesAsync(Packed("z.two", frames, ("compressed", "zstd"), ("chunk", "z2")));
        Assert.Equal(Requests.Ack("z2"), replies);
        AssertTwoEvents(harness, "z.two");
    }

    [Fact]
    public async Task Entries_that_are_not_zstd_close_the_connection_unacked()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var replies = await harness.SendAndReadRepliesAsync(Packed("z.bad", TwoEntries(), ("compressed", "zstd"), ("chunk", "zb")));
        Assert.Empty(replies);
        await harness.WaitForLogAsync("not valid zstd");
        Assert.Empty(harness.Output.Events);
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("gzip")]
    public async Task Entries_inflating_past_decompressed_size_limit_close_the_connection_unacked(string compression)
    {
        await using var harness = await ForwardInputHarness.StartAsync("decompressed_size_limit 64k");
        // 1 MiB of zeros compresses to a few KiB: a small request that would inflate far past the limit.
        var zeros = new byte[1 << 20];
        var body = compression == "zstd" ? Zstd(zeros) : GzipMembers.Compress(zeros);
        Assert.True(body.Length < 64 * 1024);
        var replies = await harness.SendAndReadRepliesAsync(Packed("bomb", body, ("compressed", compression), ("chunk", "b")));
        Assert.Empty(replies);
        await harness.WaitForLogAsync($"{compression} entries inflate to more than {64 * 1024} bytes");
        Assert.Empty(harness.Output.Events);
    }

    [Fact]
    public void The_decompressed_size_limit_defaults_to_256_MiB()
    {
        Assert.Equal(256L * 1024 * 1024, new ForwardInput().DecompressedSizeLimit);
        Assert.Equal(256L * 1024 * 1024, new ForwardDecoderOptions().MaxDecompressedBytes);
    }

    [Fact]
    public async Task Compressed_text_means_plain_packed_entries()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var replies = await harness.SendAndReadRepliesAsync(Packed("plain.text", TwoEntries(), ("compressed", "text"), ("chunk", "t1")));
        Assert.Equal(Requests.Ack("t1"), replies);
        AssertTwoEvents(harness, "plain.text");
    }

    [Fact]
    public async Task An_unknown_compression_is_refused_naming_it()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var replies = await harness.SendAndReadRepliesAsync(Packed("lz", TwoEntries(), ("compressed", "lz4"), ("chunk", "l")));
        Assert.Empty(replies);
        await harness.WaitForLogAsync("unsupported compressed option 'lz4'");
        Assert.Empty(harness.Output.Events);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Fluent_Bits_fluent_signal_option_is_accepted_and_ignored(int signal)
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        // Fluent Bit's Forward mode with options: array32 entry headers and a map32 option map holding fluent_signal
        // (corpus README, checklist 2), written with non-minimal headers as Fluent Bit does.
        var request = Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.Write("fb.signal");
            w.WriteArrayHeader(1);
            w.WriteRaw(new byte[] { 0xdd, 0, 0, 0, 2 });
            T1.WriteTo(ref w);
            w.WriteMapHeader(1);
            w.Write("seq");
            w.Write(1);
            w.WriteRaw(new byte[] { 0xdf, 0, 0, 0, 3 });
            w.Write("size");
            w.Write(1);
            w.Write("fluent_signal");
            w.Write(signal);
            w.Write("chunk");
            w.Write("fb-1");
        });
        var replies = await harness.SendAndReadRepliesAsync(request);
        Assert.Equal(Requests.Ack("fb-1"), replies);
        var e = Assert.Single(harness.Output.Events);
        Assert.Equal(("fb.signal", T1, 1L), (e.Tag, e.Time, e.Record["seq"]));
    }

    [Fact]
    public async Task A_single_event_as_JSON_text_is_emitted()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        // fluentd's in_forward reads a connection starting with '[' as JSON: the Message form [tag, time, record].
        var replies = await harness.SendAndReadRepliesAsync(Encoding.UTF8.GetBytes("""["json.one", 1709294400, {"k": "v", "n": 3}]"""));
        Assert.Empty(replies); // no chunk, no ack
        var e = Assert.Single(harness.Output.Events);
        Assert.Equal(("json.one", new EventTime(1709294400, 0), "v", 3L), (e.Tag, e.Time, e.Record["k"], e.Record["n"]));
    }

    [Fact]
    public async Task A_single_JSON_event_with_a_chunk_gets_a_JSON_ack()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var replies = await harness.SendAndReadRepliesAsync(Encoding.UTF8.GetBytes("""["json.ack", 1709294400.5, {"k": "v"}, {"chunk": "j1"}]"""));
        Assert.Equal("""{"ack":"j1"}""", Encoding.UTF8.GetString(replies));
        var e = Assert.Single(harness.Output.Events);
        Assert.Equal(("json.ack", new EventTime(1709294400, 500000000)), (e.Tag, e.Time));
    }
}
