namespace LogAgent.Core.Buffers;

/// <summary>
/// Counters of one buffered output, kept by the engine for monitoring (the names follow fluentd's
/// monitor_agent: emit_records, write_count, rollback_count, retry_count, slow_flush_count, …).
/// </summary>
public sealed class OutputMetrics
{
    private long _emitRecords, _emitSize, _writeCount, _rollbackCount, _retryCount, _slowFlushCount, _deadLetterChunks, _secondaryWrites;

    public long EmitRecords => Interlocked.Read(ref _emitRecords);
    public long EmitSize => Interlocked.Read(ref _emitSize);
    public long WriteCount => Interlocked.Read(ref _writeCount);
    public long RollbackCount => Interlocked.Read(ref _rollbackCount);
    public long RetryCount => Interlocked.Read(ref _retryCount);
    public long SlowFlushCount => Interlocked.Read(ref _slowFlushCount);
    public long DeadLetterChunks => Interlocked.Read(ref _deadLetterChunks);
    public long SecondaryWrites => Interlocked.Read(ref _secondaryWrites);

    /// <summary>The output plugin's own counters (<see cref="LogAgent.Sdk.Plugins.IPluginContext.Metrics"/>).</summary>
    public LogAgent.Sdk.Plugins.PluginMetrics? Plugin { get; set; }

    /// <summary>Every counter as name → value: the engine's (fluentd's monitor_agent names), then the plugin's as
    /// <c>plugin.NAME</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Snapshot()
    {
        var all = new List<KeyValuePair<string, long>>
        {
            new("emit_records", EmitRecords), new("emit_size", EmitSize), new("write_count", WriteCount),
            new("rollback_count", RollbackCount), new("retry_count", RetryCount), new("slow_flush_count", SlowFlushCount),
            new("dead_letter_chunks", DeadLetterChunks), new("secondary_writes", SecondaryWrites),
            new("buffer_queue_length", QueueLength), new("buffer_total_queued_size", TotalQueuedBytes),
        };
        if (Plugin is not null) all.AddRange(Plugin.Snapshot().Select(kv => KeyValuePair.Create("plugin." + kv.Key, kv.Value)));
        return all;
    }

    /// <summary>Set by the buffer: queued chunks, their bytes, and the age of the oldest chunk held.</summary>
    public Func<(int QueueLength, long QueuedBytes, TimeSpan OldestChunkAge)>? BufferState { get; set; }

    public int QueueLength => BufferState?.Invoke().QueueLength ?? 0;
    public long TotalQueuedBytes => BufferState?.Invoke().QueuedBytes ?? 0;
    public TimeSpan OldestChunkAge => BufferState?.Invoke().OldestChunkAge ?? TimeSpan.Zero;

    internal void Emitted(int records, long bytes) { Interlocked.Add(ref _emitRecords, records); Interlocked.Add(ref _emitSize, bytes); }
    internal void Written() => Interlocked.Increment(ref _writeCount);
    internal void RolledBack() => Interlocked.Increment(ref _rollbackCount);
    internal void Retried() => Interlocked.Increment(ref _retryCount);
    internal void SlowFlush() => Interlocked.Increment(ref _slowFlushCount);
    internal void DeadLettered() => Interlocked.Increment(ref _deadLetterChunks);
    internal void WrittenToSecondary() => Interlocked.Increment(ref _secondaryWrites);
}
