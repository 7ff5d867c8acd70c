using LogAgent.Core.Forward;
using LogAgent.Tests.Forward;
using LogAgent.Tests.Support;
using MessagePack;

namespace LogAgent.Tests.Buffers;

/// <summary>
/// The plain config operators write (<c>flush_mode interval</c>, <c>flush_interval</c>, default flush threads and
/// burst interval): a chunk that fills is written at once, one after another, whatever the interval; and the
/// forward output cuts a large chunk into requests a receiver such as Fluent Bit takes.
/// </summary>
public class FullChunkFlushTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Full_chunks_are_written_back_to_back_although_flush_interval_is_an_hour()
    {
        await using var receiver = new TestForwardReceiver();
        var engine = ForwardingEngine(receiver.Port, chunkLimit: "16k");
        await engine.StartAsync(default);
        // 40 chunks' worth (~640 KB) at once. With one flush thread and flush_thread_burst_interval's default 1 s
        // between writes, draining them would take 40 s; every full chunk must arrive well within the deadline.
        const int Events = 6_000;
        var pad = new string('x', 100);
        var input = engine.Input("in");
        for (int i = 0; i < Events; i += 100)
            input.Emit("app", Enumerable.Range(i, 100).Select(n => new Record { ["n"] = (long)n, ["pad"] = pad }).ToArray());
        int inFullChunks = Events - (int)(16 * 1024 / 120); // all but, at most, what the last (partial) chunk holds

        var started = DateTime.UtcNow;
        await Eventually.True(() => Received(receiver).Count >= inFullChunks, Deadline, () => $"{Received(receiver).Count}/{inFullChunks} delivered");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), $"took {DateTime.UtcNow - started}");
        Assert.True(receiver.Requests.Count >= 30, $"{receiver.Requests.Count} requests");

        await engine.StopAsync(); // flush_at_shutdown writes the partial chunk
        await Eventually.True(() => Received(receiver).Count == Events, Deadline, () => $"{Received(receiver).Count}/{Events} after stop");
        // Every event exactly once. Each chunk comes on a connection of its own (keepalive is off), and the receiver
        // may take in two connections in either order, so the order across chunks is not what is checked here.
        Assert.Equal(Enumerable.Range(0, Events).Select(n => (long)n), Received(receiver).Order());
        Assert.All(receiver.Requests, r => Assert.Equal(Entries(r.Entries).Order(), Entries(r.Entries)));
    }

    [Fact]
    public async Task A_chunk_over_a_MiB_goes_out_as_several_acked_requests_of_at_most_a_MiB()
    {
        await using var receiver = new TestForwardReceiver();
        var engine = ForwardingEngine(receiver.Port, chunkLimit: "8m", "require_ack_response true");
        await engine.StartAsync(default);
        const int Events = 30_000; // ~3.3 MB of entries in one chunk
        var pad = new string('y', 100);
        var input = engine.Input("in");
        for (int i = 0; i < Events; i += 1000)
            input.Emit("app", Enumerable.Range(i, 1000).Select(n => new Record { ["n"] = (long)n, ["pad"] = pad }).ToArray());
        engine.Runners.Single().FlushNow();

        await Eventually.True(() => Received(receiver).Count == Events, Deadline, () => $"{Received(receiver).Count}/{Events} delivered");
        var requests = receiver.Requests;
        Assert.InRange(requests.Count, 4, 10);
        Assert.All(requests, r => Assert.InRange(r.Entries.Length, 1, PackedForwardFrame.MaxEntriesBytes));
        Assert.All(requests, r => Assert.Equal((long)CountEntries(r.Entries), Convert.ToInt64(r.Options["size"])));
        // Each request asked for its own ack, and each was acked (the receiver echoes): no chunk was retried.
        Assert.Equal(requests.Count, requests.Select(r => Convert.ToString(r.Options["chunk"])).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, Events).Select(n => (long)n), Received(receiver));
        Assert.Equal(0, engine.Runners.Single().Metrics.RollbackCount);
        await engine.StopAsync();
    }

    /// <summary>A manual input to a forward output with the plain interval-flushed memory buffer of an operator's config.</summary>
    private static LogAgent.Core.Engine.AgentEngine ForwardingEngine(int port, string chunkLimit, string outputOptions = "") =>
        EngineFixture.Build($$"""
            <source>
              @type test_manual
              @id in
            </source>
            <match **>
              @type forward
              {{outputOptions}}
              <server>
                host 127.0.0.1
                port {{port}}
              </server>
              <buffer>
                @type memory
                flush_mode interval
                flush_interval 3600s
                chunk_limit_size {{chunkLimit}}
              </buffer>
            </match>
            """);

    private static List<long> Received(TestForwardReceiver receiver) =>
        receiver.Requests.SelectMany(r => Entries(r.Entries)).ToList();

    private static IEnumerable<long> Entries(byte[] entries)
    {
        var reader = new MessagePackReader(entries);
        var result = new List<long>();
        while (!reader.End)
        {
            reader.ReadArrayHeader();
            reader.Skip(); // time
            int fields = reader.ReadMapHeader();
            for (int i = 0; i < fields; i++)
            {
                var key = reader.ReadString();
                if (key == "n") result.Add(reader.ReadInt64());
                else reader.Skip();
            }
        }
        return result;
    }

    private static int CountEntries(byte[] entries)
    {
        var reader = new MessagePackReader(entries);
        int n = 0;
        while (!reader.End) { reader.Skip(); n++; }
        return n;
    }
}
