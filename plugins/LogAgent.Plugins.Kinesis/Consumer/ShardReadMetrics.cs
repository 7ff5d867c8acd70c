using LogAgent.Sdk.Plugins;

namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>
/// One shard's metrics in the input's <see cref="PluginMetrics"/> (monitor_agent, Prometheus), named NAME.SHARD:
/// counters <c>records_read</c> (Kinesis records, before de-aggregation), <c>bytes_read</c> (their data),
/// <c>get_records_calls</c>, <c>throttles</c>, <c>iterator_renewals</c> (expired iterators fetched again from the
/// checkpoint), <c>events_emitted</c>; gauges <c>millis_behind_latest</c> (the service's lag figure) and
/// <c>checkpoint_age_seconds</c> (since the shard's checkpoint last advanced: growing while records wait on a full
/// buffer). The totals over shards are the sums; the gauges are removed when the shard's reader ends.
/// </summary>
public sealed class ShardReadMetrics
{
    private readonly PluginMetrics _metrics;
    private readonly string _shard;
    private long _checkpointSavedTicks;

    public ShardReadMetrics(PluginMetrics metrics, string shardId, TimeProvider clock)
    {
        _metrics = metrics;
        _shard = shardId;
        RecordsRead = metrics.Counter("records_read." + shardId);
        BytesRead = metrics.Counter("bytes_read." + shardId);
        GetRecordsCalls = metrics.Counter("get_records_calls." + shardId);
        Throttles = metrics.Counter("throttles." + shardId);
        IteratorRenewals = metrics.Counter("iterator_renewals." + shardId);
        EventsEmitted = metrics.Counter("events_emitted." + shardId);
        MillisBehindLatest = metrics.Gauge("millis_behind_latest." + shardId);
        _checkpointSavedTicks = clock.GetUtcNow().UtcTicks;
        metrics.Gauge("checkpoint_age_seconds." + shardId,
            () => (clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _checkpointSavedTicks)) / TimeSpan.TicksPerSecond);
    }

    public MetricCounter RecordsRead { get; }
    public MetricCounter BytesRead { get; }
    public MetricCounter GetRecordsCalls { get; }
    public MetricCounter Throttles { get; }
    public MetricCounter IteratorRenewals { get; }
    public MetricCounter EventsEmitted { get; }
    public MetricGauge MillisBehindLatest { get; }

    public void CheckpointSaved(DateTimeOffset at) => Interlocked.Exchange(ref _checkpointSavedTicks, at.UtcTicks);

    /// <summary>The shard is no longer read: its gauges would only show stale values.</summary>
    public void Retire()
    {
        _metrics.RemoveGauge("millis_behind_latest." + _shard);
        _metrics.RemoveGauge("checkpoint_age_seconds." + _shard);
    }
}
