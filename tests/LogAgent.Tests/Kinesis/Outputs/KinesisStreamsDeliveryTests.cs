using System.Diagnostics;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;
using Xunit.Abstractions;

namespace LogAgent.Tests.Kinesis.Outputs;

/// <summary>
/// tail → kinesis_streams / kinesis_streams_aggregated through the real agent process, into kinesalite behind the
/// fault proxy (which checks SigV4 and the 5 MiB / 500-record limits), read back from every shard.
/// </summary>
public class KinesisStreamsDeliveryTests(KinesaliteFixture kinesalite, ITestOutputHelper output) : IClassFixture<KinesaliteFixture>
{
    private const int Events = 100_000;

    private async Task<(IReadOnlyList<KinesisStoredRecord> Records, IReadOnlyList<KinesisShard> Shards, KinesisFaultProxy Proxy, string Stderr, TimeSpan Took)>
        RunAsync(string type, string extraParameters, Action<KinesisFaults> faults)
    {
        var stream = KinesaliteFixture.NewStreamName(type.Replace('_', '-'));
        var admin = new KinesisTestClient(kinesalite.Server.Endpoint);
        await admin.CreateStreamAsync(stream, 2);
        var proxy = new KinesisFaultProxy(kinesalite.Server.Endpoint).Start();
        faults(proxy.Faults);
        using var run = new KinesisAgentRun();
        run.WriteEvents(Events);
        var clock = Stopwatch.StartNew();
        run.Start($"""
            <match nginx.**>
              @type {type}
              @id out_kinesis
              region us-east-1
              endpoint {proxy.Endpoint}
              stream_name {stream}
            {KinesisAgentRun.Credentials}
              # kinesalite has no shard limits; pacing to AWS's (1,000 records/s a shard) would only slow this test
              # down — it is tested on its own, against a proxy that enforces them (Pacing/ShardPacingDeliveryTests).
              shard_pacing false
              {extraParameters}
              {KinesisAgentRun.FastBuffer()}
            </match>
            """);
        // Every event accepted once, from the proxy's own count: no sleeping and hoping.
        if (type == "kinesis_streams")
            await Eventually.True(() => proxy.Counters.RecordsAccepted >= Events,
                TimeSpan.FromSeconds(100), () => $"accepted {proxy.Counters.RecordsAccepted}; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");
        {
            // The proxy's count includes duplicates (and, aggregated, counts aggregated records): read the stream back
            // until every distinct event is in, with a deadline.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(100);
            while (DistinctEvents(await admin.ReadAllAsync(stream), type) < Events)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException("aggregated events missing; stderr:\n" + KinesisAgentRun.Tail(run.Agent.Stderr));
                await Task.Delay(500);
            }
        }
        var took = clock.Elapsed;
        var stderr = run.Stop();
        var records = await admin.ReadAllAsync(stream);
        var shards = await admin.ListShardsAsync(stream);
        return (records, shards, proxy, stderr, took);
    }

    private static int DistinctEvents(IReadOnlyList<KinesisStoredRecord> records, string type) => type == "kinesis_streams"
        ? records.Select(r => KinesisAgentRun.IdOf(r.Data)).Distinct().Count()
        : records.SelectMany(r => IndependentKplReader.Read(r.Data).Records).Select(r => KinesisAgentRun.IdOf(r.Data)).Distinct().Count();

    private void Report(string name, int missing, int duplicates, KinesisFaultProxy proxy, string stderr, TimeSpan took)
    {
        var metrics = KinesisAgentRun.MetricsOf(stderr, "out_kinesis");
        output.WriteLine($"{name}: {Events} events in {took.TotalSeconds:F1} s, missing {missing}, duplicates {duplicates}; proxy: requests {proxy.Counters.Requests}, " +
            $"records accepted {proxy.Counters.RecordsAccepted}, failed {proxy.Counters.RecordsFailedTotal}, 5xx {proxy.Counters.InternalErrors + proxy.Counters.ServiceUnavailable}, " +
            $"resets {proxy.Counters.Resets}, resets after forward {proxy.Counters.ResetsAfterForward}, signature failures {proxy.Counters.SignatureFailures}");
        output.WriteLine("agent metrics: " + string.Join(' ', metrics.Select(kv => kv.Key + "=" + kv.Value)));
    }

    [Fact]
    public async Task Every_event_arrives_once_on_the_shard_its_partition_key_hashes_to()
    {
        var (records, shards, proxy, stderr, took) = await RunAsync("kinesis_streams", "", _ => { });
        await using var _ = proxy;
        var ids = records.Select(r => KinesisAgentRun.IdOf(r.Data)).ToList();
        var missing = Enumerable.Range(0, Events).Select(KinesisAgentRun.EventId).Except(ids).Count();
        int duplicates = ids.Count - ids.Distinct().Count();
        Report("kinesis_streams", missing, duplicates, proxy, stderr, took);
        Assert.Equal((0, 0, Events), (missing, duplicates, records.Count));
        Assert.Equal(2, shards.Count);
        Assert.All(records, r => Assert.Equal(KinesisHashKey.ShardFor(shards, r.PartitionKey).ShardId, r.ShardId));
        Assert.All(shards, s => Assert.Contains(records, r => r.ShardId == s.ShardId)); // random keys spread over both
        Assert.Equal(0, proxy.Counters.SignatureFailures);
        var metrics = KinesisAgentRun.MetricsOf(stderr, "out_kinesis");
        Assert.Equal(Events, metrics["plugin.records_sent"]);
        Assert.True(metrics["plugin.put_records_sum"] <= metrics["plugin.put_calls"] * 500);
    }

    [Fact]
    public async Task Aggregated_records_deaggregate_to_every_event_once()
    {
        var (records, shards, proxy, stderr, took) = await RunAsync("kinesis_streams_aggregated", "", _ => { });
        await using var _ = proxy;
        var ids = new List<string>();
        foreach (var record in records)
        {
            var (keys, inner) = IndependentKplReader.Read(record.Data);
            Assert.Equal(["a", record.PartitionKey], keys); // aggregator.rb's table: ["a", key], records point at 1
            Assert.All(inner, r => Assert.Equal(1UL, r.KeyIndex));
            ids.AddRange(inner.Select(r => KinesisAgentRun.IdOf(r.Data)));
            Assert.Equal(KinesisHashKey.ShardFor(shards, record.PartitionKey).ShardId, record.ShardId);
            Assert.True(record.Data.Length <= 1024 * 1024, $"aggregated record of {record.Data.Length} bytes");
        }
        var missing = Enumerable.Range(0, Events).Select(KinesisAgentRun.EventId).Except(ids).Count();
        int duplicates = ids.Count - ids.Distinct().Count();
        Report("kinesis_streams_aggregated", missing, duplicates, proxy, stderr, took);
        Assert.Equal((0, 0), (missing, duplicates));
    }

    [Fact]
    public async Task Under_throttling_5xx_and_resets_every_event_arrives_and_only_resets_after_forwarding_duplicate()
    {
        var (records, _, proxy, stderr, took) = await RunAsync("kinesis_streams", "", faults =>
        {
            faults.ThroughputExceededFraction = 0.10;
            faults.InternalFailureFraction = 0.01;
            faults.InternalErrorFraction = 0.02;
            faults.ServiceUnavailableFraction = 0.02;
            faults.ThrottleFraction = 0.02;
            faults.ResetFraction = 0.02;
            faults.ResetAfterForwardFraction = 0.01;
        });
        await using var _ = proxy;
        var ids = records.Select(r => KinesisAgentRun.IdOf(r.Data)).ToList();
        var missing = Enumerable.Range(0, Events).Select(KinesisAgentRun.EventId).Except(ids).Count();
        int duplicates = ids.Count - ids.Distinct().Count();
        Report("kinesis_streams under faults", missing, duplicates, proxy, stderr, took);
        Assert.Equal(0, missing);
        Assert.True(proxy.Counters.RecordsFailedTotal > 0 && proxy.Counters.InternalErrors + proxy.Counters.ServiceUnavailable > 0, "faults were not injected");
        // A reset after the proxy forwarded a request leaves the agent not knowing the records were stored: it sends them
        // again, as any client must. Those are the only duplicates allowed (at most a whole request's records each).
        Assert.True(duplicates <= proxy.Counters.ResetsAfterForward * 500,
            $"{duplicates} duplicates but only {proxy.Counters.ResetsAfterForward} resets after forwarding");
        if (proxy.Counters.ResetsAfterForward == 0) Assert.Equal(0, duplicates);
        var metrics = KinesisAgentRun.MetricsOf(stderr, "out_kinesis");
        Assert.True(metrics["plugin.record_retries"] > 0);
        Assert.True(metrics.GetValueOrDefault("plugin.records_failed.ProvisionedThroughputExceededException") > 0);
        Assert.True(metrics["plugin.throttles"] > 0);
    }
}
