using LogAgent.Core.Plugins.Inputs;
using LogAgent.Tests.Forward;
using LogAgent.Tests.Support;
using MessagePack;

namespace LogAgent.Tests.Buffers;

/// <summary>Buffers between real sockets: backpressure on a TCP input, and resuming buffer directories at start.</summary>
public class BufferedForwardingTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Overflow_action_block_stops_acknowledging_a_real_TCP_sender_until_the_destination_frees_space()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type forward
              bind 127.0.0.1
              port 0
            </source>
            <match **>
              @type test_buffered
              @id out
              down true
              <buffer tag>
                total_limit_size 16k
                chunk_limit_size 4k
                overflow_action block
                flush_mode interval
                flush_interval 0.05
                flush_thread_interval 0.02
                flush_thread_burst_interval 0.01
                retry_wait 0.05
                retry_max_interval 0.1
                retry_randomize false
              </buffer>
            </match>
            """);
        await engine.StartAsync(default);
        var input = engine.Inputs.OfType<ForwardInput>().Single();
        var output = engine.Output<TestBufferedOutput>("out");
        using var client = await ForwardTestClient.ConnectAsync(input.BoundPort, TimeSpan.FromSeconds(5));

        int acked = 0;
        var sender = Task.Run(async () =>
        {
            for (int batch = 0; batch < 60; batch++)
            {
                var records = Enumerable.Range(batch * 10, 10).Select(n => new Record { ["n"] = (long)n, ["pad"] = new string('x', 60) });
                if (!await client.SendWithAckAsync("app", records, $"b{batch}", TimeSpan.FromSeconds(30))) throw new IOException($"batch {batch} not acked");
                Interlocked.Increment(ref acked);
            }
        });
        // ~60 KB offered against a 16 KiB buffer and a dead destination: the sender must stall, memory must stay bounded.
        await Eventually.True(() => engine.Runners.Single().Buffer.TotalBytes > 8 * 1024, Deadline, () => "buffer filling");
        await Task.Delay(500);
        int ackedWhileDown = Volatile.Read(ref acked);
        Assert.InRange(ackedWhileDown, 1, 40);
        Assert.False(sender.IsCompleted);
        Assert.True(engine.Runners.Single().Buffer.TotalBytes <= 16 * 1024 + 4 * 1024);

        output.IsDown = false;
        await sender.WaitAsync(Deadline);
        await Eventually.True(() => output.Delivered.Count == 600, Deadline, () => $"{output.Delivered.Count}/600 delivered");
        Assert.Equal(Enumerable.Range(0, 600).Select(i => (long)i), output.Delivered.Select(d => (long)d.Record["n"]!).Order());
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_buffer_directory_left_by_real_fluentd_is_resumed_and_delivered_in_order()
    {
        using var dir = new TempDirectory();
        var buffer = dir.Sub("buffer");
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.SharedCorpus, "forward", "fd-filebuffer")))
            File.Copy(file, Path.Combine(buffer, Path.GetFileName(file)));
        await using var receiver = new TestForwardReceiver();
        var engine = EngineFixture.Build(ForwardFromFileBuffer(buffer, receiver.Port));
        await engine.StartAsync(default);
        await Eventually.True(() => Seqs(receiver).Count >= 100, Deadline, () => $"{Seqs(receiver).Count}/100 from fluentd's chunks");
        await engine.StopAsync();
        // The queued chunk (1..30) first, then the staged ones by their sequence: every event once, in order.
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), Seqs(receiver));
        Assert.All(receiver.Requests, r => Assert.Equal("corpus.fd.filebuf", r.Tag));
        Assert.Empty(Directory.GetFiles(buffer, "*.log"));
    }

    [Fact]
    public async Task A_corrupt_chunk_at_start_is_salvaged_and_the_agent_runs()
    {
        using var dir = new TempDirectory();
        var buffer = dir.Sub("buffer");
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.SharedCorpus, "forward", "fd-filebuffer")))
            File.Copy(file, Path.Combine(buffer, Path.GetFileName(file)));
        // The queued chunk (events 1..30) is cut in the middle of an entry, as a crash mid-write would leave it.
        var queued = Directory.GetFiles(buffer, "buffer.q*.log").Single();
        var bytes = File.ReadAllBytes(queued);
        File.WriteAllBytes(queued, bytes[..(bytes.Length / 2)]);
        await using var receiver = new TestForwardReceiver();
        var logs = new CapturingLoggerProvider();
        var engine = EngineFixture.Build($"""
            <system>
              root_dir {dir.Path}/state
            </system>
            {ForwardFromFileBuffer(buffer, receiver.Port)}
            """, logs);
        await engine.StartAsync(default);
        await Eventually.True(() => Seqs(receiver).Count(s => s > 30) == 70, Deadline, () => $"{Seqs(receiver).Count} delivered");
        await engine.StopAsync();
        var seqs = Seqs(receiver);
        // The whole entries before the cut survive (1..k, k ≥ 1), and every other chunk is untouched.
        int kept = seqs.Count(s => s <= 30);
        Assert.InRange(kept, 1, 29);
        Assert.Equal(Enumerable.Range(1, kept).Concat(Enumerable.Range(31, 70)).Select(i => (long)i), seqs);
        Assert.Contains(logs.Lines, l => l.Level == Microsoft.Extensions.Logging.LogLevel.Error && l.Message.Contains(Path.GetFileName(queued)));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir.Path, "state", "backup"), "*", SearchOption.AllDirectories));
    }

    /// <summary>A forward output to the receiver whose file buffer is <paramref name="buffer"/> (fluentd's layout).</summary>
    private static string ForwardFromFileBuffer(string buffer, int port) => $"""
        <match corpus.**>
          @type forward
          @id out
          <server>
            host 127.0.0.1
            port {port}
          </server>
          <buffer tag>
            @type file
            path {buffer}/buffer.*.log
        {FastBuffer.Flush}
          </buffer>
        </match>
        """;

    private static List<long> Seqs(TestForwardReceiver receiver)
    {
        var seqs = new List<long>();
        foreach (var request in receiver.Requests)
        {
            var reader = new MessagePackReader(request.Entries);
            while (!reader.End)
            {
                reader.ReadArrayHeader();
                reader.Skip();
                seqs.Add((long)LogAgent.Sdk.Events.RecordCodec.ReadRecord(ref reader)["seq"]!);
            }
        }
        return seqs;
    }
}
