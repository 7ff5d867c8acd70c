namespace LogAgent.Core.Buffers;

/// <summary>
/// Counters of one buffered output, kept by the engine for monitoring (the names follow fluentd's
/// monitor_agent: emit_records, write_count, rollback_count, retry_count, slow_flush_count, …).
/// </summary>
public sealed class OutputMetrics
{
    private long _emitRecords, _emitSize, _emitCount, _writeCount, _rollbackCount, _retryCount, _slowFlushCount, _flushTimeMs,
        _deadLetterChunks, _secondaryWrites;

    public long EmitRecords => Interlocked.Read(ref _emitRecords);
    public long EmitSize => Interlocked.Read(ref _emitSize);
    /// <summary>Streams written into the buffer (fluentd's emit_count: emit calls, not records).</summary>
    public long EmitCount => Interlocked.Read(ref _emitCount);
    public long WriteCount => Interlocked.Read(ref _writeCount);
    public long RollbackCount => Interlocked.Read(ref _rollbackCount);
    public long RetryCount => Interlocked.Read(ref _retryCount);
    public long SlowFlushCount => Interlocked.Read(ref _slowFlushCount);
    /// <summary>Milliseconds spent in the plugin's writes, summed (fluentd's flush_time_count).</summary>
    public long FlushTimeCount => Interlocked.Read(ref _flushTimeMs);
    public long DeadLetterChunks => Interlocked.Read(ref _deadLetterChunks);
    public long SecondaryWrites => Interlocked.Read(ref _secondaryWrites);

    /// <summary>The output plugin's own counters (<see cref="LogAgent.Sdk.Plugins.IPluginContext.Metrics"/>).</summary>
    public LogAgent.Sdk.Plugins.PluginMetrics? Plugin { get; set; }

    /// <summary>Every counter as name → value: the engine's (<see cref="EngineCounters"/>), then the plugin's as
    /// <c>plugin.NAME</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Snapshot()
    {
        var all = new List<KeyValuePair<string, long>>(EngineCounters());
        if (Plugin is not null) all.AddRange(Plugin.Snapshot().Select(kv => KeyValuePair.Create("plugin." + kv.Key, kv.Value)));
        return all;
    }

    /// <summary>
    /// The engine's counters under fluentd's monitor_agent names (output.rb and buffer.rb <c>statistics</c>), the buffer
    /// read once, then LogAgent's own: dead_letter_chunks and secondary_writes.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, long>> EngineCounters() => EngineCounters(Usage);

    /// <inheritdoc cref="EngineCounters()"/>
    public IReadOnlyList<KeyValuePair<string, long>> EngineCounters(BufferUsage usage) => new KeyValuePair<string, long>[]
    {
        new("emit_records", EmitRecords), new("emit_size", EmitSize), new("emit_count", EmitCount),
        new("write_count", WriteCount), new("rollback_count", RollbackCount), new("retry_count", RetryCount),
        new("slow_flush_count", SlowFlushCount), new("flush_time_count", FlushTimeCount),
        new("buffer_stage_length", usage.StageLength), new("buffer_stage_byte_size", usage.StageBytes),
        new("buffer_queue_length", usage.QueueLength), new("buffer_queue_byte_size", usage.QueueBytes),
        new("buffer_total_queued_size", usage.TotalQueuedSize),
        new("dead_letter_chunks", DeadLetterChunks), new("secondary_writes", SecondaryWrites),
    };

    /// <summary>Set by the buffer when it starts: what it holds now, computed on each call.</summary>
    public Func<BufferUsage>? BufferState { get; set; }

    /// <summary>What the buffer holds now (all zero before it started).</summary>
    public BufferUsage Usage => BufferState?.Invoke() ?? default;

    internal void Emitted(int records, long bytes)
    {
        Interlocked.Add(ref _emitRecords, records);
        Interlocked.Add(ref _emitSize, bytes);
        Interlocked.Increment(ref _emitCount);
    }

    internal void Written() => Interlocked.Increment(ref _writeCount);
    internal void RolledBack() => Interlocked.Increment(ref _rollbackCount);
    internal void Retried() => Interlocked.Increment(ref _retryCount);
    internal void Flushed(TimeSpan took) => Interlocked.Add(ref _flushTimeMs, (long)Math.Max(took.TotalMilliseconds, 0));
    internal void SlowFlush() => Interlocked.Increment(ref _slowFlushCount);
    internal void DeadLettered() => Interlocked.Increment(ref _deadLetterChunks);
    internal void WrittenToSecondary() => Interlocked.Increment(ref _secondaryWrites);
}

/// <summary>
/// What a buffer holds at one moment, as fluentd's buffer.rb counts it: staged chunks (still filling), queued chunks
/// (waiting or being written: fluentd's queue_size keeps a dequeued chunk's bytes until it is purged) and the limit.
/// </summary>
public readonly record struct BufferUsage(int StageLength, long StageBytes, int QueueLength, long QueueBytes, long TotalLimit)
{
    /// <summary>fluentd's buffer_total_queued_size: staged and queued bytes together.</summary>
    public long TotalQueuedSize => StageBytes + QueueBytes;

    /// <summary>fluentd's buffer_available_buffer_space_ratios: the free part of total_limit_size in percent, one decimal.</summary>
    public double AvailableSpaceRatio =>
        TotalLimit <= 0 ? 100.0 : Math.Round(Math.Max(1.0 - (double)TotalQueuedSize / TotalLimit, 0) * 100, 1);
}
