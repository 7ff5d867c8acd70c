using System.Text;
using System.Text.Json;
using LogAgent.Tests.Kinesis.Support;
using Xunit.Abstractions;

namespace LogAgent.Tests.Kinesis.Outputs;

/// <summary>
/// Records of 999 KiB, 1,000 KiB, 1 MiB, 1 MiB + 1 and 10 MiB among small ones, in one chunk, through the real agent
/// (tail → output; tail's max_line_size is unlimited by default, so multi-MiB lines are simply lines). Sizes are the
/// record sizes the outputs compute, which is what the services limit: kinesis_streams counts data + partition key
/// (PutRecords API reference: "The record size limit applies to the total size of the partition key and data blob";
/// the random key is 32 characters), kinesis_firehose counts the data with its appended newline (the newline is part
/// of Record.Data, limited to 1,024,000 bytes). The records over the limit go to the @ERROR label (captured by a file
/// output there) with a log line naming size and limit; the others, small and large, are delivered; and the write
/// metrics show it all was one chunk written once — the rejected records did not block or retry it.
/// </summary>
public class OversizeRecordTests(KinesaliteFixture kinesalite, ITestOutputHelper output) : IClassFixture<KinesaliteFixture>
{
    private const int RandomKeyLength = 32;
    private const int Kib = 1024, Mib = 1024 * 1024;

    /// <summary>The sizes of issue 6, as the output computes the record's size.</summary>
    private static readonly (string Name, int Size)[] Large =
    {
        ("999KiB", 999 * Kib), ("1000KiB", 1000 * Kib), ("1MiB", Mib), ("1MiB+1", Mib + 1), ("10MiB", 10 * Mib),
    };

    private static string[] Names(params string[] names) => names.Select(n => "big-" + n).ToArray();
    private static IEnumerable<string> Smalls => Enumerable.Range(0, Large.Length + 1).Select(i => $"small-{i}");

    [Fact]
    public async Task Kinesis_streams_rejects_only_records_over_1_MiB_of_data_plus_partition_key()
    {
        // "1MiB+1" has 1,048,545 bytes of data — under 1 MiB alone — and is rejected: the key counts.
        var (result, proxy) = await StreamsRunAsync("", delivered: Names("999KiB", "1000KiB", "1MiB"), rejected: Names("1MiB+1", "10MiB"));
        await using var _ = proxy;

        Assert.Contains("record of 1048577 bytes (data + partition key) exceeds the 1048576-byte record limit of kinesis_streams", result.Stderr);
        Assert.Contains("record of 10485760 bytes (data + partition key) exceeds the 1048576-byte record limit of kinesis_streams", result.Stderr);
        Assert.Equal(0, proxy.Counters.LimitRejections); // nothing over a limit reached the wire
    }

    [Fact]
    public async Task Kinesis_firehose_rejects_only_records_over_1000_KiB_with_their_newline()
    {
        await using var firehose = new FirehoseStandIn().Start().CreateDeliveryStream("oversize");

        var result = await RunAsync("kinesis_firehose", $"endpoint {firehose.Endpoint}\n  delivery_stream_name oversize", 1,
            () => Task.FromResult(firehose.AcceptedIn("oversize").Select(r => (Marker(r.Data), (long)r.Data.Length)).ToList()),
            delivered: Names("999KiB", "1000KiB"), rejected: Names("1MiB", "1MiB+1", "10MiB"));

        Assert.Contains("record of 1048576 bytes (data + partition key) exceeds the 1024000-byte record limit of kinesis_firehose", result.Stderr);
        Assert.Contains("record of 1048577 bytes (data + partition key) exceeds the 1024000-byte record limit of kinesis_firehose", result.Stderr);
        Assert.Contains("record of 10485760 bytes (data + partition key) exceeds the 1024000-byte record limit of kinesis_firehose", result.Stderr);
        Assert.All(firehose.AcceptedIn("oversize"), r => Assert.Equal((byte)'\n', r.Data[^1]));
        Assert.Equal(0, firehose.Counters.ValidationErrors);
    }

    /// <summary>
    /// max_record_size 10m (a stream configured for large records): the plugin sends the 10 MiB record — alone, being
    /// larger than a whole PutRecords request may be. What answers here is not a large-record stream: the proxy enforces
    /// PutRecords' documented 5 MiB request limit (and behind it kinesalite caps data at 1 MiB), so the request is refused
    /// with 400 InvalidArgumentException. That refusal concerns that one record: it goes to @ERROR with the service's
    /// message, and the rest of the chunk — including the 1 MiB + 1 record, now within the limit — is delivered.
    /// </summary>
    [Fact]
    public async Task Kinesis_streams_with_max_record_size_10m_sends_the_10_MiB_record_and_a_refusal_rejects_only_it()
    {
        var (result, proxy) = await StreamsRunAsync("max_record_size 10m", delivered: Names("999KiB", "1000KiB", "1MiB", "1MiB+1"), rejected: Names("10MiB"));
        await using var _ = proxy;

        Assert.Equal(1, proxy.Counters.LimitRejections); // the 10 MiB record was sent, and refused
        Assert.Contains("record of 10485760 bytes (data + partition key) refused: PutRecords failed: HTTP 400 InvalidArgumentException: Records size exceeds 5 MB limit", result.Stderr);
    }

    private sealed record Outcome(string Stderr);

    /// <summary>A kinesis_streams run into a fresh one-shard stream behind the proxy; sizes read back are data + key.</summary>
    private async Task<(Outcome Result, KinesisFaultProxy Proxy)> StreamsRunAsync(string extra, string[] delivered, string[] rejected)
    {
        var stream = KinesaliteFixture.NewStreamName("oversize");
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(stream, 1);
        var proxy = new KinesisFaultProxy(kinesalite.Server.Endpoint).Start();
        try
        {
            var result = await RunAsync("kinesis_streams", $"endpoint {proxy.Endpoint}\n  stream_name {stream}\n  {extra}", RandomKeyLength,
                async () => (await admin.ReadAllAsync(stream)).Select(r => (Marker(r.Data), (long)r.Data.Length + r.PartitionKey.Length)).ToList(),
                delivered, rejected);
            return (result, proxy);
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    private async Task<Outcome> RunAsync(string type, string target, int overhead, Func<Task<List<(string Marker, long Size)>>> readDelivered,
        string[] delivered, string[] rejected)
    {
        using var run = new KinesisAgentRun();
        var log = run.PathOf("oversize.log");
        var errors = run.PathOf("error");
        WriteLines(log, overhead);
        run.StartWithConfig($"""
            <source>
              @type tail
              path {log}
              pos_file {run.PathOf("oversize.pos")}
              read_from_head true
              tag oversize
              <parse>
                @type none
              </parse>
            </source>
            <match oversize>
              @type {type}
              @id out_kinesis
              region us-east-1
              {target}
              data_key message
            {KinesisAgentRun.Credentials}
              # One chunk for all the lines (tail reads the ~15 MiB in well under the flush interval).
              <buffer>
                @type memory
                chunk_limit_size 64m
                flush_mode interval
                flush_interval 3s
                retry_wait 0.2s
                retry_max_interval 1s
                retry_forever true
              </buffer>
            </match>
            <label @ERROR>
              <match oversize>
                @type file
                path {errors}/rejected
                <format>
                  @type json
                </format>
                <buffer>
                  @type memory
                  chunk_limit_size 64m
                  flush_mode interval
                  flush_interval 0.2s
                </buffer>
              </match>
            </label>
            """);

        var expectDelivered = Smalls.Concat(delivered).Order().ToList();
        var expectRejected = rejected.Order().ToList();
        List<(string Marker, long Size)> arrived = [], refused = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (true)
        {
            arrived = await readDelivered();
            refused = ReadRejected(errors);
            if (arrived.Select(a => a.Marker).Distinct().Count() >= expectDelivered.Count && refused.Count >= expectRejected.Count) break;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"delivered [{string.Join(", ", arrived.Select(a => a.Marker))}], @ERROR [{string.Join(", ", refused.Select(r => r.Marker))}]; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");
            await Task.Delay(250);
        }
        var stderr = run.Stop();
        arrived = await readDelivered();
        refused = ReadRejected(errors);
        var metrics = KinesisAgentRun.MetricsOf(stderr, "out_kinesis");
        output.WriteLine($"{type}: delivered {string.Join(", ", arrived.Select(a => $"{a.Marker}={a.Size}"))}");
        output.WriteLine($"{type}: @ERROR {string.Join(", ", refused.Select(r => $"{r.Marker}={r.Size}"))}");
        output.WriteLine("agent metrics: " + string.Join(' ', metrics.Select(kv => kv.Key + "=" + kv.Value)));

        // Exactly these, each once, and at the size the output computes (the size the line was written for).
        Assert.Equal(expectDelivered, arrived.Select(a => a.Marker).Order().ToList());
        Assert.Equal(expectRejected, refused.Select(r => r.Marker).Order().ToList());
        foreach (var (marker, size) in arrived.Where(a => a.Marker.StartsWith("big-", StringComparison.Ordinal)))
            Assert.Equal(SizeOf(marker), size);
        foreach (var (marker, size) in refused)
            Assert.Equal(SizeOf(marker) - overhead, size); // @ERROR has the event: its message, without key or newline
        // One chunk, written once: the rejected records neither failed nor split it.
        Assert.Equal((1L, 0L, 0L), (metrics["write_count"], metrics["rollback_count"], metrics["retry_count"]));
        Assert.Equal(expectRejected.Count, metrics["plugin.records_rejected"]);
        return new Outcome(stderr);
    }

    private static long SizeOf(string marker) => Large.Single(l => "big-" + l.Name == marker).Size;

    /// <summary>small-0, big-999KiB, small-1, … big-10MiB, small-5: each large line as long as its size less what the
    /// output adds (the partition key, or the newline).</summary>
    private static void WriteLines(string path, int overhead)
    {
        using var file = new FileStream(path, FileMode.Create);
        for (int i = 0; i <= Large.Length; i++)
        {
            file.Write(Encoding.ASCII.GetBytes($"small-{i} GET /index.html HTTP/1.1 200 612\n"));
            if (i == Large.Length) break;
            var (name, size) = Large[i];
            var line = new byte[size - overhead + 1];
            Array.Fill(line, (byte)'x');
            Encoding.ASCII.GetBytes($"big-{name} ").CopyTo(line, 0);
            line[^1] = (byte)'\n';
            file.Write(line);
        }
    }

    /// <summary>"small-N" or "big-NAME": the first word of a record's data or an event's message.</summary>
    private static string Marker(ReadOnlySpan<byte> data)
    {
        int space = data.IndexOf((byte)' ');
        return Encoding.ASCII.GetString(space < 0 ? data : data[..space]);
    }

    /// <summary>The events in @ERROR so far, from complete lines of the file output's files: (marker, message length).</summary>
    private static List<(string Marker, long Size)> ReadRejected(string directory) =>
        KinesisAgentRun.FileOutputRecords(directory).Select(r => r.GetProperty("message").GetString()!)
            .Select(message => (Marker(Encoding.ASCII.GetBytes(message)), (long)message.Length)).ToList();
}
