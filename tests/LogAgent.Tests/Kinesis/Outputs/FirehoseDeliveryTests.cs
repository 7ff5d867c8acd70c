using System.Diagnostics;
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
        var clock = Stopwatch.StartNew();
        run.Start($"""
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
    }

    private static int Distinct(FirehoseStandIn firehose) =>
        firehose.Accepted.Select(r => KinesisAgentRun.IdOf(r.Data.AsSpan(0, r.Data.Length - 1))).Distinct().Count();
}
