using LogAgent.Sdk.Config;

namespace LogAgent.Core.Buffers;

public enum FlushMode { Default, Lazy, Interval, Immediate }
public enum OverflowAction { ThrowException, Block, DropOldestChunk }

/// <summary>
/// The <c>&lt;buffer&gt;</c> section with fluentd's names and defaults (lib/fluent/plugin/output.rb, buffer.rb,
/// buf_memory.rb, buf_file.rb). Defaults that depend on the buffer type (chunk and total limits, flush_at_shutdown)
/// are null here and resolved in <see cref="Resolve"/>.
/// </summary>
public sealed class BufferConfig
{
    [Parameter("@type", "Where chunks are kept: memory or file.", AllowedValues = new[] { "memory", "file" })]
    public string Type { get; set; } = "memory";

    [Parameter("path", "File buffer: directory (or path prefix) of chunk files; default <system> root_dir/worker0/@id/buffer.")]
    public string? Path { get; set; }

    [Parameter("chunk_limit_size", "Largest chunk (memory: 8m, file: 256m).", Kind = ParameterKind.Size)]
    public long? ChunkLimitSize { get; set; }

    [Parameter("chunk_limit_records", "Most events per chunk (no limit by default).")]
    public int? ChunkLimitRecords { get; set; }

    [Parameter("total_limit_size", "Most bytes staged and queued together (memory: 512m, file: 64g).", Kind = ParameterKind.Size)]
    public long? TotalLimitSize { get; set; }

    [Parameter("queue_limit_length", "Most queued chunks (deprecated in fluentd; total_limit_size is preferred).")]
    public int? QueueLimitLength { get; set; }

    [Parameter("chunk_full_threshold", "A chunk this full (fraction of a limit) is queued at once.")]
    public double ChunkFullThreshold { get; set; } = 0.95;

    [Parameter("queued_chunks_limit_size", "Most queued chunks before interval flushes stop queueing more (default flush_thread_count).")]
    public int? QueuedChunksLimitSize { get; set; }

    [Parameter("compress", "Chunk compression: text (none) or gzip.", AllowedValues = new[] { "text", "gzip" })]
    public string Compress { get; set; } = "text";

    [Parameter("flush_at_shutdown", "Flush every chunk at shutdown (default: true for memory, false for file).")]
    public bool? FlushAtShutdown { get; set; }

    [Parameter("flush_mode", "default (lazy with a time key, else interval), lazy, interval or immediate.")]
    public FlushMode FlushMode { get; set; } = FlushMode.Default;

    [Parameter("flush_interval", "Interval mode: queue a staged chunk this long after it was created.", Kind = ParameterKind.Time)]
    public double FlushInterval { get; set; } = 60;

    [Parameter("flush_thread_count", "Parallel writers of this output.")]
    public int FlushThreadCount { get; set; } = 1;

    [Parameter("flush_thread_interval", "Sleep between checks when there is nothing to write.", Kind = ParameterKind.Time)]
    public double FlushThreadInterval { get; set; } = 1.0;

    [Parameter("flush_thread_burst_interval", "Accepted for fluentd configs; queued chunks are written back to back (fluentd too does so while events arrive).", Kind = ParameterKind.Time)]
    public double FlushThreadBurstInterval { get; set; } = 1.0;

    [Parameter("delayed_commit_timeout", "Roll back a delayed-commit write not confirmed within this time.", Kind = ParameterKind.Time)]
    public double DelayedCommitTimeout { get; set; } = 60;

    [Parameter("overflow_action", "When the buffer is full: throw_exception (the input is told), block (the input waits) or drop_oldest_chunk.")]
    public OverflowAction OverflowAction { get; set; } = OverflowAction.ThrowException;

    [Parameter("retry_type", "exponential_backoff or periodic.", AllowedValues = new[] { "exponential_backoff", "periodic" })]
    public string RetryType { get; set; } = "exponential_backoff";

    [Parameter("retry_wait", "Wait before the first retry.", Kind = ParameterKind.Time)]
    public double RetryWait { get; set; } = 1;

    [Parameter("retry_exponential_backoff_base", "Growth factor of exponential backoff.")]
    public double RetryExponentialBackoffBase { get; set; } = 2;

    [Parameter("retry_max_interval", "Longest wait between retries.", Kind = ParameterKind.Time)]
    public double? RetryMaxInterval { get; set; }

    [Parameter("retry_randomize", "Vary each wait by ±12.5% so many agents do not retry in step.")]
    public bool RetryRandomize { get; set; } = true;

    [Parameter("retry_timeout", "Give up retrying (secondary or dead letters) after this long.", Kind = ParameterKind.Time)]
    public double RetryTimeout { get; set; } = 72 * 3600;

    [Parameter("retry_max_times", "Give up after this many retries.")]
    public int? RetryMaxTimes { get; set; }

    [Parameter("retry_forever", "Never give up.")]
    public bool RetryForever { get; set; }

    [Parameter("retry_secondary_threshold", "Switch to <secondary> after this fraction of retry_timeout.")]
    public double RetrySecondaryThreshold { get; set; } = 0.8;

    [Parameter("timekey", "Time slice of the time chunk key.", Kind = ParameterKind.Time)]
    public double? Timekey { get; set; }

    [Parameter("timekey_wait", "Queue a time-sliced chunk this long after its slice ends, for late events.", Kind = ParameterKind.Time)]
    public double TimekeyWait { get; set; } = 600;

    [Parameter("timekey_use_utc", "Slice time keys and expand %-placeholders in UTC instead of local time.")]
    public bool TimekeyUseUtc { get; set; }

    [Parameter("timekey_zone", "Zone of time keys and %-placeholders, e.g. +0900.")]
    public string? TimekeyZone { get; set; }

    [Parameter("disable_chunk_backup", "Delete unrecoverable chunks instead of keeping them in the backup (dead letter) directory.")]
    public bool DisableChunkBackup { get; set; }

    [Parameter("fsync", "File buffer: fsync each append and metadata write (survives power loss; slower). A process crash loses nothing either way.")]
    public bool Fsync { get; set; }

    /// <summary>A config holding a plugin's own defaults, before the operator's &lt;buffer&gt; is bound over it.</summary>
    public static BufferConfig WithDefaults(LogAgent.Sdk.Buffers.BufferDefaults defaults)
    {
        var config = new BufferConfig();
        if (defaults.BufferType is { } type) config.Type = type;
        if (defaults.ChunkLimitSize is { } cls) config.ChunkLimitSize = cls;
        if (defaults.ChunkLimitRecords is { } clr) config.ChunkLimitRecords = clr;
        if (defaults.FlushInterval is { } fi) config.FlushInterval = fi;
        if (defaults.Timekey is { } tk) config.Timekey = tk;
        if (defaults.FlushAtShutdown is { } fas) config.FlushAtShutdown = fas;
        if (defaults.FlushMode is { } fm) config.FlushMode = Enum.Parse<FlushMode>(fm.Replace("_", ""), ignoreCase: true);
        return config;
    }

    public long ResolvedChunkLimitSize => ChunkLimitSize ?? (Type == "file" ? 256L << 20 : 8L << 20);
    public long ResolvedTotalLimitSize => TotalLimitSize ?? (Type == "file" ? 64L << 30 : 512L << 20);
    public bool ResolvedFlushAtShutdown => FlushAtShutdown ?? Type != "file";

    public FlushMode ResolvedFlushMode(ChunkKeys keys) =>
        FlushMode != FlushMode.Default ? FlushMode : keys.HasTime ? FlushMode.Lazy : FlushMode.Interval;
}
