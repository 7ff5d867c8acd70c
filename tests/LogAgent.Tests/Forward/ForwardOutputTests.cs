using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using LogAgent.Core.Forward;
using LogAgent.Core.Plugins.Outputs;
using LogAgent.Sdk.Config;
using LogAgent.Tests.Support;
using MessagePack;

namespace LogAgent.Tests.Forward;

/// <summary>The forward output against small receivers in the test: what it sends, how it waits for acks, how it fails.</summary>
public class ForwardOutputTests
{
    /// <summary>The tag, entries and chunk option of a corpus capture holding one fluentd PackedForward request.</summary>
    internal static (string Tag, byte[] Entries, string? ChunkOption) PackedRequestOf(string file)
    {
        var reader = new MessagePackReader(ForwardCorpus.Bytes(file));
        Assert.Equal(3, reader.ReadArrayHeader());
        string tag = reader.ReadString()!;
        var entries = System.Buffers.BuffersExtensions.ToArray(reader.ReadStringSequence()!.Value);
        string? chunk = null;
        int pairs = reader.ReadMapHeader();
        for (int i = 0; i < pairs; i++)
        {
            string key = reader.ReadString()!;
            if (key == "chunk") chunk = reader.ReadString();
            else reader.Skip();
        }
        return (tag, entries, chunk);
    }

    internal static ForwardOutput Build(IEnumerable<(string Host, int Port, string Extra)> servers, params (string Key, string Value)[] parameters) =>
        Build(servers, parameters, security: null);

    /// <param name="security">Parameters of a &lt;security&gt; section, when one is wanted.</param>
    internal static ForwardOutput Build(IEnumerable<(string Host, int Port, string Extra)> servers, (string Key, string Value)[] parameters,
        (string Key, string Value)[]? security)
    {
        var section = TestPluginContext.Section("match", "forward", parameters);
        int line = 20;
        if (security is not null)
        {
            var sec = new ConfigSection("security", "", "test.conf", line++);
            foreach (var (k, v) in security) sec.Add(new ConfigParameter(k, v, "test.conf", line++));
            section.Add(sec);
        }
        foreach (var (host, port, extra) in servers)
        {
            var server = new ConfigSection("server", "", "test.conf", line++);
            server.Add(new ConfigParameter("host", host, "test.conf", line++));
            server.Add(new ConfigParameter("port", port.ToString(), "test.conf", line++));
            foreach (var kv in extra.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = kv.Split('=', 2);
                server.Add(new ConfigParameter(parts[0], parts[1], "test.conf", line++));
            }
            section.Add(server);
        }
        return new TestPluginContext().Build<ForwardOutput>(PluginKind.Output, section);
    }

    internal static ForwardOutput Build(int port, params (string Key, string Value)[] parameters) =>
        Build(new[] { ("127.0.0.1", port, "") }, parameters);

    private static TestChunk Fd(string file = "fd-default.bin")
    {
        var (tag, entries, _) = PackedRequestOf(file);
        return new TestChunk(tag, entries, 100);
    }

    /// <summary>A port nothing listens on: bound, then released.</summary>
    // Bound but never listening: connecting is refused at once, and because the socket stays bound for the whole
    // test run no listener of a parallel test can be given the port (a port bound and released could be).
    private static readonly List<Socket> HeldDeadPorts = new();

    internal static int DeadPort()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        lock (HeldDeadPorts) HeldDeadPorts.Add(socket);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task WaitForRequestsAsync(TestForwardReceiver receiver, int count) =>
        await Eventually.True(() => receiver.Requests.Count >= count, ForwardInputHarness.Deadline, () => $"{receiver.Requests.Count} of {count} requests");

    [Fact]
    public void A_forward_output_without_a_server_is_a_config_error_in_fluentds_words()
    {
        var e = Assert.Throws<ConfigException>(() => EngineFixture.Build("<match **>\n  @type forward\n</match>"));
        Assert.Contains("forward output plugin requires at least one node is required. Add <server> or <service_discovery>", e.Message);
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void Tag_is_the_default_chunk_key_as_in_fluentds_out_forward() =>
        Assert.Equal("tag", Build(24224).BufferDefaults.ChunkKeys);

    [Fact]
    public async Task A_write_sends_one_PackedForward_request_whose_entries_are_the_chunk_bytes()
    {
        await using var receiver = new TestForwardReceiver();
        var output = Build(receiver.Port);
        var chunk = Fd();

        await output.WriteAsync(chunk, CancellationToken.None);

        await WaitForRequestsAsync(receiver, 1);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal("corpus.fd.default", request.Tag);
        Assert.Equal(MessagePackCode.Str32, request.EntriesTypeCode);
        Assert.Equal(chunk.ReadEntries().ToArray(), request.Entries);
        Assert.Equal(100L, request.Options["size"]);
        Assert.Equal("text", request.Options["compressed"]);
        Assert.False(request.Options.ContainsKey("chunk"));
    }

    /// <summary>
    /// fd-ack.bin is what fluentd 1.15.3's out_forward sent for a 100-event chunk with require_ack_response. Given the
    /// same entries and chunk id, the output sends the very same bytes.
    /// </summary>
    [Fact]
    public async Task With_acks_the_request_is_byte_for_byte_what_fluentd_sent_in_fd_ack()
    {
        var (tag, entries, chunkOption) = PackedRequestOf("fd-ack.bin");
        var uniqueId = Convert.ToHexString(Convert.FromBase64String(chunkOption!)).ToLowerInvariant();
        await using var receiver = new TestForwardReceiver();
        var output = Build(receiver.Port, ("require_ack_response", "true"));

        await output.WriteAsync(new TestChunk(tag, entries, 100, uniqueId), CancellationToken.None);

        Assert.Equal(ForwardCorpus.Bytes("fd-ack.bin"), Assert.Single(receiver.RawConnections));
    }

    [Fact]
    public async Task Without_acks_the_request_is_byte_for_byte_what_fluentd_sent_in_fd_default()
    {
        await using var receiver = new TestForwardReceiver();
        await Build(receiver.Port).WriteAsync(Fd(), CancellationToken.None);
        await WaitForRequestsAsync(receiver, 1);
        await Eventually.True(() => receiver.RawConnections.Single().Length == ForwardCorpus.Bytes("fd-default.bin").Length,
            ForwardInputHarness.Deadline, () => "whole request received");
        Assert.Equal(ForwardCorpus.Bytes("fd-default.bin"), receiver.RawConnections.Single());
    }

    [Fact]
    public async Task With_require_ack_response_the_write_returns_after_the_matching_ack()
    {
        await using var receiver = new TestForwardReceiver(TestForwardReceiver.AckPolicy.Echo);
        var output = Build(receiver.Port, ("require_ack_response", "true"), ("ack_response_timeout", "10"));
        var chunk = Fd();

        await output.WriteAsync(chunk, CancellationToken.None);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(Convert.ToBase64String(Convert.FromHexString(chunk.UniqueId)) + "\n", request.Options["chunk"]);
    }

    [Fact]
    public async Task A_missing_ack_fails_the_write_after_ack_response_timeout()
    {
        await using var receiver = new TestForwardReceiver(TestForwardReceiver.AckPolicy.Never);
        var output = Build(receiver.Port, ("require_ack_response", "true"), ("ack_response_timeout", "0.3"));
        var e = await Assert.ThrowsAsync<TimeoutException>(() => output.WriteAsync(Fd(), CancellationToken.None));
        Assert.Contains("ack_response_timeout", e.Message);
    }

    [Fact]
    public async Task An_ack_for_another_chunk_fails_the_write()
    {
        await using var receiver = new TestForwardReceiver(TestForwardReceiver.AckPolicy.Wrong);
        var output = Build(receiver.Port, ("require_ack_response", "true"), ("ack_response_timeout", "10"));
        var e = await Assert.ThrowsAsync<ForwardAckMismatchException>(() => output.WriteAsync(Fd(), CancellationToken.None));
        Assert.Contains("does not match", e.Message);
    }

    [Fact]
    public async Task A_dead_server_fails_the_write()
    {
        var output = Build(DeadPort(), ("connect_timeout", "5"));
        var e = await Assert.ThrowsAsync<IOException>(() => output.WriteAsync(Fd(), CancellationToken.None));
        Assert.Contains("no forward server is available", e.Message);
    }

    [Fact]
    public async Task A_dead_server_fails_over_to_the_next_server()
    {
        await using var live = new TestForwardReceiver();
        var output = Build(new[] { ("127.0.0.1", DeadPort(), "name=dead"), ("127.0.0.1", live.Port, "name=live") });
        for (int i = 0; i < 4; i++) await output.WriteAsync(Fd(), CancellationToken.None);
        await WaitForRequestsAsync(live, 4);
        Assert.Equal(4, live.Requests.Count);
    }

    [Fact]
    public async Task Compress_gzip_sends_CompressedPackedForward_that_inflates_to_the_chunk_bytes()
    {
        await using var receiver = new TestForwardReceiver();
        var chunk = Fd();
        await Build(receiver.Port, ("compress", "gzip")).WriteAsync(chunk, CancellationToken.None);
        await WaitForRequestsAsync(receiver, 1);
        var request = receiver.Requests.Single();
        Assert.Equal("gzip", request.Options["compressed"]);
        using var gzip = new GZipStream(new MemoryStream(request.Entries), CompressionMode.Decompress);
        var inflated = new MemoryStream();
        gzip.CopyTo(inflated);
        Assert.Equal(chunk.ReadEntries().ToArray(), inflated.ToArray());
    }

    [Fact]
    public async Task Keepalive_sends_later_chunks_on_the_same_connection()
    {
        await using var receiver = new TestForwardReceiver();
        var output = Build(receiver.Port, ("keepalive", "true"), ("require_ack_response", "true"));
        for (int i = 0; i < 3; i++) await output.WriteAsync(Fd(), CancellationToken.None);
        Assert.Equal(3, receiver.Requests.Count);
        Assert.Equal(1, receiver.ConnectionCount);
        await output.ShutdownAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Without_keepalive_each_chunk_uses_its_own_connection()
    {
        await using var receiver = new TestForwardReceiver();
        var output = Build(receiver.Port, ("require_ack_response", "true"));
        var chunk = Fd();
        for (int i = 0; i < 3; i++) await output.WriteAsync(Fd(), CancellationToken.None);
        // Counted by what they carried: under load, another test's output retrying a port of its own that the system
        // has since given to this receiver can connect here too (a bare connection count was off once in a full run).
        var tag = System.Text.Encoding.UTF8.GetBytes(chunk.Metadata.Tag!);
        Assert.Equal(3, receiver.RawConnections.Count(c => c.AsSpan().IndexOf(tag) >= 0));
        Assert.Equal(3, receiver.Requests.Count);
    }
}
