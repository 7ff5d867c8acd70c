using System.Numerics;
using System.Text;
using LogAgent.Plugins.Kinesis;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Batching;
using LogAgent.Plugins.Kinesis.Pacing;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Kinesis.Pacing;

/// <summary>
/// <see cref="PacedSender"/> and <see cref="ShardPacer"/> with a put and a ListShards of the test's own (the real
/// clock: a drained shard waits a real tenth of a second): throttled records drain their shard and are retried in order,
/// throttles are counted per shard, an unknown shard in an answer lists the shards again (once per interval), and a
/// listing that fails leaves the stream unpaced with a warning naming why.
/// </summary>
public class PacedSenderTests
{
    private static readonly BigInteger Half = BigInteger.Pow(2, 127);
    private static readonly KinesisShard Low = new("shardId-000000000000", 0, Half - 1, null, null, "1", null);
    private static readonly KinesisShard High = new("shardId-000000000001", Half, BigInteger.Pow(2, 128) - 1, null, null, "1", null);

    private static string KeyOn(KinesisShard shard) =>
        Enumerable.Range(0, 1000).Select(i => $"k{i}").First(k => shard.Contains(ShardMap.HashKey(k)));

    private sealed class CapturingLog : ILogger
    {
        public List<(LogLevel Level, string Message)> Lines { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add((logLevel, formatter(state, exception)));
        }
    }

    [Fact]
    public async Task A_throttled_shard_is_drained_counted_and_retried_in_order_and_an_unknown_shard_lists_the_shards_again()
    {
        int listings = 0;
        var pacer = new ShardPacer((_, _) => { Interlocked.Increment(ref listings); return Task.FromResult<IReadOnlyList<KinesisShard>>([Low, High]); },
            1024 * 1024, 1000, TimeSpan.FromMilliseconds(300), new CapturingLog());
        var shards = await pacer.ShardsOfAsync("s", CancellationToken.None);
        Assert.NotNull(shards.Map);
        Assert.Equal(1, listings);
        pacer.Observe(shards, "shardId-000000000009");
        Assert.Equal(1, listings); // within shard_refresh_interval of the last listing
        await Task.Delay(TimeSpan.FromMilliseconds(350)); // let the refresh interval pass

        string lowKey = KeyOn(Low), highKey = KeyOn(High);
        var records = Enumerable.Range(0, 20).Select(i => new OutgoingRecord(Encoding.UTF8.GetBytes($"r{i}"), i % 2 == 0 ? lowKey : highKey, [i])).ToList();
        var metrics = new PluginMetrics();
        var sender = new PacedSender(retries: 3, resetBackoffIfSuccess: true, TimeSpan.FromMilliseconds(10), new KinesisOutputCounters(metrics));
        var calls = new List<(DateTime At, int[] Entries)>();
        var delivered = new List<int>();
        bool throttledOnce = false;
        var result = await sender.SendAsync(pacer, shards, records, new BatchLimits(500, 5 * 1024 * 1024), "", (batch, _) =>
        {
            calls.Add((DateTime.UtcNow, batch.Select(r => r.Entries[0]).ToArray()));
            // The first call: the low shard refuses every record; the high shard's records land on a shard the map
            // does not know (as after a split).
            var outcomes = batch.Select(r => r.PartitionKey == lowKey && !throttledOnce
                ? new RecordOutcome("ProvisionedThroughputExceededException", "Rate exceeded for shard shardId-000000000000", null)
                : new RecordOutcome(null, null, r.PartitionKey == lowKey ? Low.ShardId : "shardId-000000000002")).ToList();
            throttledOnce = true;
            return Task.FromResult<IReadOnlyList<RecordOutcome>>(outcomes);
        }, r => delivered.Add(r.Entries[0]), CancellationToken.None);

        Assert.Equal(20, result.Delivered);
        Assert.Empty(result.StillFailed);
        Assert.Equal(2, calls.Count);
        Assert.Equal(Enumerable.Range(0, 20).ToArray(), calls[0].Entries);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 2 * i).ToArray(), calls[1].Entries); // the low shard's, in order
        // Drained: the retry waited until the first tenth of the shard's window came free (0.1 s after the answer).
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromSeconds(0.09), $"retried after {calls[1].At - calls[0].At}");
        Assert.Equal(10, metrics.Counter("shard_throttles.shardId-000000000000").Value);
        Assert.Equal(10, metrics.Counter("throttles").Value);
        Assert.Equal(10, metrics.Counter("shard_records_sent.shardId-000000000000").Value);
        Assert.Equal(10, metrics.Counter("shard_records_sent.shardId-000000000002").Value); // as the service reported it
        // shardId-000000000002 is not in the map: listed again, once however many records named it.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Volatile.Read(ref listings) < 2 && DateTime.UtcNow < deadline) await Task.Delay(10);
        Assert.Equal(2, listings);
    }

    [Fact]
    public async Task A_listing_that_is_denied_leaves_the_stream_unpaced_with_one_warning_naming_why()
    {
        var log = new CapturingLog();
        int listings = 0;
        var pacer = new ShardPacer((_, _) =>
        {
            Interlocked.Increment(ref listings);
            throw new AwsApiException("ListShards", AwsFailureKind.ServiceError, "AccessDeniedException", 400,
                "User: arn:aws:iam::123456789012:user/agent is not authorized to perform: kinesis:ListShards", isRetryable: false);
        },
            1024 * 1024, 1000, TimeSpan.Zero, log);
        var shards = await pacer.ShardsOfAsync("s", CancellationToken.None);
        Assert.Null(shards.Map);
        pacer.Observe(shards, "shardId-000000000000"); // refresh interval 0: tried again, fails again
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!(Volatile.Read(ref listings) == 2 && log.Lines.Count(l => l.Message.Contains("failed again")) == 1) && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.Equal(2, listings);
        var warnings = log.Lines.Where(l => l.Level == LogLevel.Warning).ToList();
        Assert.Single(warnings);
        Assert.Contains("AccessDeniedException", warnings[0].Message);
        Assert.Contains("without shard pacing", warnings[0].Message);
    }
}
