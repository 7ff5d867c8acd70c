using LogAgent.Sdk.Buffers;

namespace LogAgent.Core.Buffers;

public enum ChunkState
{
    /// <summary>Open for appends (fluentd's "b" chunk).</summary>
    Staged,
    /// <summary>Closed and waiting to be written (fluentd's "q" chunk).</summary>
    Queued,
}

/// <summary>
/// A chunk as a store keeps it: the SDK view (<see cref="BufferChunk"/>) plus the operations the buffer needs.
/// Thread-safety: the owning buffer serialises Append/Enqueue/Purge on one chunk; ReadEntries may run concurrently
/// with nothing else once the chunk is queued.
/// </summary>
public abstract class StoredChunk : BufferChunk
{
    public abstract ChunkState State { get; }

    /// <summary>Increases per chunk of the same metadata (fluentd's "seq").</summary>
    public abstract long Sequence { get; }

    public abstract DateTimeOffset ModifiedAt { get; }

    /// <summary>
    /// Appends whole msgpack entries (in this chunk's format) as one unit: either all of them are stored or, on an
    /// error (disk full, I/O error), the chunk is left exactly as before and the exception propagates.
    /// </summary>
    public abstract void Append(ReadOnlySpan<byte> entries, int count);

    /// <summary>Staged → queued: no more appends; for the file store the file is renamed and its metadata written.</summary>
    public abstract void Enqueue();

    /// <summary>Deletes the chunk and its metadata: called only after its output reported success (or it was moved away).</summary>
    public abstract void Purge();

    /// <summary>Records a failed write attempt (persisted by the file store, so per-chunk retry limits survive restarts).</summary>
    public abstract void RecordRetry();

    /// <summary>Expands buffer placeholders; set by the owning buffer, which knows the chunk keys and time zone.</summary>
    public Func<ChunkMetadata, string, string>? Expander { get; set; }

    public override string Expand(string template) => Expander is null ? template : Expander(Metadata, template);
}

/// <summary>Where chunks live: memory (<c>@type memory</c>) or files (<c>@type file</c>).</summary>
public interface IChunkStore : IDisposable
{
    /// <summary>A new, empty, staged chunk.</summary>
    StoredChunk Create(ChunkMetadata metadata, bool entriesHaveTag);

    /// <summary>A new queued chunk holding these entries (used to requeue the rest of a partly written chunk).</summary>
    StoredChunk CreateQueued(ChunkMetadata metadata, bool entriesHaveTag, ReadOnlySpan<byte> entries, int count, int retryCount);

    /// <summary>
    /// The chunks left by a previous run (file store: staged and queued files; memory store: none), oldest first.
    /// Corrupt chunks are salvaged up to their last whole entry; the rest is moved aside and logged.
    /// </summary>
    IReadOnlyList<StoredChunk> Resume();

    /// <summary>Bytes currently held (for total_limit_size).</summary>
    long TotalBytes { get; }
}
