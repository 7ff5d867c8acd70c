using System.Diagnostics;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Batching;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Plugins.Kinesis;

/// <summary>
/// The counters every Kinesis output reports through the SDK's <see cref="PluginMetrics"/> (issue 6, item 7).
/// A mean is a sum and a count: mean batch size = <c>put_records_sum / put_calls</c>, mean put latency =
/// <c>put_latency_ms_sum / put_calls</c>. Names: <c>records_sent</c>, <c>bytes_sent</c> (data + keys accepted),
/// <c>records_failed.CODE</c> (per-record errors), <c>request_failed.CODE</c> (whole requests), <c>record_retries</c>,
/// <c>throttles</c> (throttled records and requests), <c>records_requeued</c>, <c>records_dropped</c>,
/// <c>records_rejected</c> (too large or not encodable, sent to @ERROR), <c>put_calls</c>, <c>put_records_sum</c>,
/// <c>put_latency_ms_sum</c>, <c>put_latency_ms_max</c> is left out: a counter cannot hold a maximum.
/// With shard pacing (kinesis_streams), per shard: <c>shard_records_sent.SHARD</c>, <c>shard_bytes_sent.SHARD</c>,
/// <c>shard_throttles.SHARD</c> (SHARD is the shard id, prefixed by <c>STREAM/</c> when stream_name has placeholders),
/// and <c>pacing_waits</c> / <c>pacing_wait_ms_sum</c>: how often and how long a put waited for a shard's budget.
/// </summary>
public sealed class KinesisOutputCounters(PluginMetrics metrics)
{
    private readonly MetricCounter _recordsSent = metrics.Counter("records_sent");
    private readonly MetricCounter _bytesSent = metrics.Counter("bytes_sent");
    private readonly MetricCounter _retries = metrics.Counter("record_retries");
    private readonly MetricCounter _throttles = metrics.Counter("throttles");
    private readonly MetricCounter _requeued = metrics.Counter("records_requeued");
    private readonly MetricCounter _dropped = metrics.Counter("records_dropped");
    private readonly MetricCounter _rejected = metrics.Counter("records_rejected");
    private readonly MetricCounter _putCalls = metrics.Counter("put_calls");
    private readonly MetricCounter _putRecords = metrics.Counter("put_records_sum");
    private readonly MetricCounter _putLatency = metrics.Counter("put_latency_ms_sum");
    private readonly MetricCounter _pacingWaits = metrics.Counter("pacing_waits");
    private readonly MetricCounter _pacingWaitMs = metrics.Counter("pacing_wait_ms_sum");

    public async Task<T> TimePutAsync<T>(IReadOnlyList<OutgoingRecord> records, Func<Task<T>> put)
    {
        var started = Stopwatch.GetTimestamp();
        _putCalls.Increment();
        _putRecords.Add(records.Count);
        try
        {
            return await put().ConfigureAwait(false);
        }
        catch (AwsApiException e)
        {
            metrics.Counter("request_failed." + (e.ErrorCode ?? (e.StatusCode is { } s ? "HTTP" + s : e.Kind.ToString()))).Increment();
            if (e.IsThrottling) _throttles.Increment();
            throw;
        }
        finally
        {
            _putLatency.Add((long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    public void RecordDelivered(OutgoingRecord record)
    {
        _recordsSent.Add(record.Entries.Length);
        _bytesSent.Add(record.Size);
    }

    public void RecordFailed(string errorCode)
    {
        metrics.Counter("records_failed." + errorCode).Increment();
        if (AwsErrorCodes.IsRecordThrottling(errorCode)) _throttles.Increment();
    }

    /// <summary>A record accepted on <paramref name="shard"/> (the shard the service reported, else the computed one).</summary>
    public void ShardDelivered(string shard, OutgoingRecord record)
    {
        metrics.Counter("shard_records_sent." + shard).Add(record.Entries.Length);
        metrics.Counter("shard_bytes_sent." + shard).Add(record.Size);
    }

    public void ShardThrottled(string shard) => metrics.Counter("shard_throttles." + shard).Increment();

    public void PacingWait(TimeSpan wait)
    {
        _pacingWaits.Increment();
        _pacingWaitMs.Add((long)wait.TotalMilliseconds);
    }

    public void RecordRetries(int records) => _retries.Add(records);
    public void Requeued(int entries) => _requeued.Add(entries);
    public void Dropped(int entries) => _dropped.Add(entries);
    public void Rejected() => _rejected.Increment();
}
