using System.Diagnostics;
using System.Text.Json;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;
using Xunit.Abstractions;

namespace LogAgent.Tests.Kinesis.Outputs;

/// <summary>tail → kinesis_firehose through the real agent process into the Firehose stand-in under faults.</summary>
public class FirehoseDeliveryTests(ITestOutputHelper output)
{
    private const int Events = 100_000;

    [Fact]
    public async Task Under_record_failures_5xx_throttling_and_latency_every_event_arrives_once()
    {
        await using var firehose = new FirehoseStandIn().Start().CreateDeliveryStream("access-to-s3");
        firehose.Faults.RecordFailureFraction = 0.10;
        firehose.Faults.InternalErrorFraction = 0.05;
        firehose.Faults.ServiceUnavailableFraction = 0.05;
        firehose.Faults.ThrottleFraction = 0.03;
        firehose.Faults.Latency = TimeSpan.FromMilliseconds(5);
        using var run = new KinesisAgentRun();
        run.WriteEvents(Events);
        int monitorPort = FreePort.Get();
        var clock = Stopwatch.StartNew();
        run.Start($"""
            <source>
              @type monitor_agent
              bind 127.0.0.1
              port {monitorPort}
            </source>
            <match nginx.**>
              @type kinesis_firehose
              @id out_firehose
              region us-east-1
              endpoint {firehose.Endpoint}
              delivery_stream_name access-to-s3
            {KinesisAgentRun.Credentials}
              {KinesisAgentRun.FastBuffer()}
            </match>
            """);
        await Eventually.True(() => firehose.Accepted.Select(r => r.Data).Count() >= Events && Distinct(firehose) >= Events, TimeSpan.FromSeconds(100),
            () => $"accepted {firehose.Counters.RecordsAccepted}; stderr:\n{KinesisAgentRun.Tail(run.Agent.Stderr)}");
        var took = clock.Elapsed;
        // The output's counters, live, as an operator reads them (issue 6, item 7): every event counted sent once.
        using var http = new HttpClient();
        JsonElement live = default;
        await Eventually.True(async () =>
        {
            using var plugins = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{monitorPort}/api/plugins.json?@id=out_firehose"));
            live = plugins.RootElement.GetProperty("plugins")[0].Clone();
            return live.GetProperty("plugin_metrics").GetProperty("records_sent").GetInt64() >= Events;
        }, TimeSpan.FromSeconds(20), () => $"monitor_agent says: {live}");
        var stderr = run.Stop();

        var accepted = firehose.AcceptedIn("access-to-s3");
        Assert.All(accepted, r => Assert.Equal((byte)'\n', r.Data[^1])); // append_new_line
        var ids = accepted.Select(r => KinesisAgentRun.IdOf(r.Data.AsSpan(0, r.Data.Length - 1))).ToList();
        int missing = Enumerable.Range(0, Events).Select(KinesisAgentRun.EventId).Except(ids).Count();
        int duplicates = ids.Count - ids.Distinct().Count();
        var metrics = KinesisAgentRun.MetricsOf(stderr, "out_firehose");
        output.WriteLine($"kinesis_firehose under faults: {Events} events in {took.TotalSeconds:F1} s, missing {missing}, duplicates {duplicates}; stand-in: requests {firehose.Counters.Requests}, " +
            $"accepted {firehose.Counters.RecordsAccepted}, record failures {firehose.Counters.RecordsFailed}, 5xx {firehose.Counters.InternalErrors + firehose.Counters.ServiceUnavailable}, throttles {firehose.Counters.Throttles}");
        output.WriteLine("agent metrics: " + string.Join(' ', metrics.Select(kv => kv.Key + "=" + kv.Value)));
        Assert.True(firehose.Counters.RecordsFailed > 0 && firehose.Counters.InternalErrors + firehose.Counters.ServiceUnavailable > 0 && firehose.Counters.Throttles > 0,
            "faults were not injected");
        // The stand-in answers every request it stored (no resets here): a record it accepted must never come again.
        Assert.Equal((0, 0), (missing, duplicates));
        Assert.Equal(0, firehose.Counters.SignatureFailures);
        // Firehose reports per-record failures as ServiceUnavailableException (its "slow down"), not as throttling codes.
        Assert.True(metrics["plugin.record_retries"] > 0 && metrics.GetValueOrDefault("plugin.records_failed.ServiceUnavailableException") > 0,
            string.Join(' ', metrics.Select(kv => kv.Key + "=" + kv.Value)));
        var counters = live.GetProperty("plugin_metrics");
        Assert.Equal(Events, counters.GetProperty("records_sent").GetInt64());
        Assert.True(counters.GetProperty("records_failed.ServiceUnavailableException").GetInt64() > 0, live.ToString());
        Assert.True(counters.GetProperty("throttles").GetInt64() > 0, live.ToString()); // the whole-request throttling
        Assert.True(counters.GetProperty("put_calls").GetInt64() >= Events / 500, live.ToString());
        Assert.True(live.GetProperty("retry_count").GetInt64() > 0, live.ToString()); // 5xx: the chunk is retried by the buffer
        Assert.Equal("kinesis_firehose", live.GetProperty("type").GetString());
    }

    private static int Distinct(FirehoseStandIn firehose) =>
        firehose.Accepted.Select(r => KinesisAgentRun.IdOf(r.Data.AsSpan(0, r.Data.Length - 1))).Distinct().Count();
}
