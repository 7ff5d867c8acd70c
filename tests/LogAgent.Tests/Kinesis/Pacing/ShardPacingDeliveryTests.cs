using System.Diagnostics;
using System.Text;
using LogAgent.Tests.Kinesis.Outputs;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;
using Xunit.Abstractions;

namespace LogAgent.Tests.Kinesis.Pacing;

/// <summary>
/// Shard pacing through the real agent process (tail → kinesis_streams), into a 2-shard kinesalite stream behind the
/// fault proxy enforcing each shard's 1,000 records/s and 1 MiB/s over a sliding second, as AWS does. A hot partition
/// key sends 18,000 events to one shard and a cold key 2,000 to the other: paced, the proxy throttles (next to)
/// nothing and the cold shard is done long before the hot one; unpaced, the same run is throttled thousands of times.
/// Either way every event arrives exactly once.
/// </summary>
public class ShardPacingDeliveryTests(KinesaliteFixture kinesalite, ITestOutputHelper output) : IClassFixture<KinesaliteFixture>
{
    private const int HotEvents = 18_000, ColdEvents = 2_000, Events = HotEvents + ColdEvents;

    private sealed record Run(TimeSpan Took, KinesisFaultProxy Proxy, Dictionary<string, long> Metrics, string HotShard, string ColdShard,
        int Missing, int Duplicates, int Stored);

    /// <summary>A partition key that hashes to <paramref name="shard"/>.</summary>
    private static string KeyOn(KinesisShard shard, string prefix) =>
        Enumerable.Range(0, 10_000).Select(i => $"{prefix}-{i}").First(k => shard.Owns(KinesisHashKey.Of(k)));

    private async Task<Run> RunAsync(bool pacing)
    {
        var stream = KinesaliteFixture.NewStreamName(pacing ? "paced" : "unpaced");
        using var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(stream, 2);
        var shards = await admin.ListShardsAsync(stream);
        string hotKey = KeyOn(shards[0], "hot"), coldKey = KeyOn(shards[1], "cold");
        var proxy = new KinesisFaultProxy(kinesalite.Server.Endpoint).Start();
        proxy.Faults.EnforceShardThroughput = true;

        using var run = new KinesisAgentRun();
        run.WriteEvents(HotEvents);
        var coldLog = Path.Combine(run.Directory, "cold.log");
        var cold = new StringBuilder();
        for (int i = HotEvents; i < Events; i++) cold.Append(KinesisAgentRun.EventId(i)).Append(" GET /cold HTTP/1.1 200 612\n");
        File.WriteAllText(coldLog, cold.ToString());

        var clock = Stopwatch.StartNew();
        run.Start($"""
            <source>
              @type tail
              path {coldLog}
              pos_file {Path.Combine(run.Directory, "cold.pos")}
              read_from_head true
              refresh_interval 1
              tag nginx.cold
              <parse>
                @type none
              </parse>
            </source>
            <filter nginx.access>
              @type record_transformer
              <record>
                pk {hotKey}
              </record>
            </filter>
            <filter nginx.cold>
              @type record_transformer
              <record>
                pk {coldKey}
              </record>
            </filter>
            <match nginx.**>
              @type kinesis_streams
              @id out_kinesis
              region us-east-1
              endpoint {proxy.Endpoint}
              stream_name {stream}
              partition_key pk
              shard_pacing {(pacing ? "true" : "false")}
            {KinesisAgentRun.Credentials}
              {KinesisAgentRun.FastBuffer()}
            </match>
            """);
        await Eventually.True(() => proxy.Counters.RecordsAccepted >= Events, TimeSpan.FromSeconds(90),
            () => $"accepted {proxy.Counters.RecordsAccepted} of {Events}; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");
        var took = clock.Elapsed;
        var metrics = KinesisAgentRun.MetricsOf(run.Stop(), "out_kinesis");

        var records = await admin.ReadAllAsync(stream);
        var ids = records.Select(r => KinesisAgentRun.IdOf(r.Data)).ToList();
        int missing = Enumerable.Range(0, Events).Select(KinesisAgentRun.EventId).Except(ids).Count();
        Assert.All(records, r => Assert.Equal(r.PartitionKey == hotKey ? shards[0].ShardId : shards[1].ShardId, r.ShardId));
        return new Run(took, proxy, metrics, shards[0].ShardId, shards[1].ShardId, missing, ids.Count - ids.Distinct().Count(), records.Count);
    }

    /// <summary>The most records in any one-second window of arrivals, and the mean rate from first to last.</summary>
    private static (int MostInASecond, double MeanPerSecond, TimeSpan First, TimeSpan Last) Rates(IReadOnlyList<TimeSpan> arrivals)
    {
        int most = 0;
        for (int i = 0, j = 0; i < arrivals.Count; i++)
        {
            while (arrivals[i] - arrivals[j] >= TimeSpan.FromSeconds(1)) j++;
            most = Math.Max(most, i - j + 1);
        }
        var span = (arrivals[^1] - arrivals[0]).TotalSeconds;
        return (most, span > 0 ? (arrivals.Count - 1) / span : double.NaN, arrivals[0], arrivals[^1]);
    }

    private void Report(string name, Run run)
    {
        var times = run.Proxy.Counters.ShardAcceptTimes;
        var hot = Rates(times[run.HotShard]);
        var cold = Rates(times[run.ColdShard]);
        output.WriteLine($"{name}: {Events} events delivered in {run.Took.TotalSeconds:F1} s; missing {run.Missing}, duplicates {run.Duplicates}; " +
            $"proxy shard-limit throttles {run.Proxy.Counters.ShardLimitThrottles}, put requests {run.Proxy.Counters.Requests}");
        output.WriteLine($"  hot shard {run.HotShard}: {times[run.HotShard].Count} records, {hot.MeanPerSecond:F0}/s mean, most in any 1-s window {hot.MostInASecond}, " +
            $"{hot.First.TotalSeconds:F1}–{hot.Last.TotalSeconds:F1} s");
        output.WriteLine($"  cold shard {run.ColdShard}: {times[run.ColdShard].Count} records, most in any 1-s window {cold.MostInASecond}, " +
            $"{cold.First.TotalSeconds:F1}–{cold.Last.TotalSeconds:F1} s");
        output.WriteLine("  agent metrics: " + string.Join(' ', run.Metrics.Where(kv => kv.Key.Contains("shard") || kv.Key.Contains("throttl") ||
            kv.Key.Contains("pacing") || kv.Key is "plugin.records_sent" or "plugin.put_calls" or "plugin.record_retries" or "plugin.records_requeued")
            .Select(kv => kv.Key + "=" + kv.Value)));
    }

    [Fact]
    public async Task Paced_a_hot_shard_gets_its_limit_without_throttling_while_the_other_shard_flows()
    {
        var run = await RunAsync(pacing: true);
        await using var _ = run.Proxy;
        Report("shard_pacing true", run);
        Assert.Equal((0, 0, Events), (run.Missing, run.Duplicates, run.Stored));
        // Near zero: a second's budget is held from a put's start until a second after its answer, so the proxy's
        // window can only be overrun by clock disagreement, not by latency.
        Assert.True(run.Proxy.Counters.ShardLimitThrottles <= Events / 200, $"{run.Proxy.Counters.ShardLimitThrottles} records throttled");
        var times = run.Proxy.Counters.ShardAcceptTimes;
        var hot = Rates(times[run.HotShard]);
        var cold = Rates(times[run.ColdShard]);
        Assert.InRange(hot.MostInASecond, 1, 1000);       // the proxy enforces it; paced, nothing had to be refused for it
        Assert.True(hot.MeanPerSecond >= 700, $"hot shard paced at only {hot.MeanPerSecond:F0} records/s"); // pacing does not sandbag
        Assert.True(cold.Last < hot.Last - TimeSpan.FromSeconds(5), $"cold shard done at {cold.Last}, hot at {hot.Last}: it waited behind the hot one");
        Assert.Equal(HotEvents, run.Metrics[$"plugin.shard_records_sent.{run.HotShard}"]);
        Assert.Equal(ColdEvents, run.Metrics[$"plugin.shard_records_sent.{run.ColdShard}"]);
        Assert.True(run.Metrics["plugin.pacing_waits"] > 0, "the hot shard never had to wait for its budget");
    }

    [Fact]
    public async Task Unpaced_the_same_load_is_throttled_and_still_delivered_by_retries()
    {
        var run = await RunAsync(pacing: false);
        await using var _ = run.Proxy;
        Report("shard_pacing false", run);
        Assert.Equal((0, 0, Events), (run.Missing, run.Duplicates, run.Stored));
        Assert.True(run.Proxy.Counters.ShardLimitThrottles > 1000, $"only {run.Proxy.Counters.ShardLimitThrottles} throttles without pacing");
        Assert.True(run.Metrics["plugin.records_failed.ProvisionedThroughputExceededException"] > 1000);
        Assert.False(run.Metrics.ContainsKey($"plugin.shard_records_sent.{run.HotShard}"), "per-shard counts are kept only when paced");
    }
}
