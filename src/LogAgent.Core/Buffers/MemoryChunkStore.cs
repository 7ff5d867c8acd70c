using System.Buffers;
using LogAgent.Sdk.Buffers;

namespace LogAgent.Core.Buffers;

/// <summary>
/// <c>@type memory</c>: chunks live in this process only, so nothing survives a restart and Resume finds nothing
/// (fluentd's buf_memory: <c>resume</c> returns empty stage and queue).
/// </summary>
public sealed class MemoryChunkStore(bool compressGzip = false) : IChunkStore
{
    private readonly HashSet<MemoryChunk> _live = new(ReferenceEqualityComparer.Instance);
    private long _totalBytes;
    private long _nextSequence;

    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    /// <summary>
    /// Where this store's chunks rent their arrays. Not <see cref="ArrayPool{T}.Shared"/>: that one keeps a returned
    /// array in the returning thread's own slot first, one per size per thread, so with the dozens of threads an agent
    /// under load runs (input connections, flush threads), multi-MiB chunk arrays pile up per thread; measured with the
    /// load test (forward → forward, 4 MiB chunks), ~130 MiB of live large-object heap for a 16 MiB buffer. This pool
    /// keeps at most a few arrays of each size for the whole store, which is what a buffer reuses.
    /// </summary>
    internal ArrayPool<byte> Arrays { get; } = ArrayPool<byte>.Create(maxArrayLength: 1 << 30, maxArraysPerBucket: 16);

    public StoredChunk Create(ChunkMetadata metadata, bool entriesHaveTag)
    {
        var chunk = new MemoryChunk(this, metadata, entriesHaveTag, Interlocked.Increment(ref _nextSequence), compressGzip);
        lock (_live) _live.Add(chunk);
        return chunk;
    }

    public StoredChunk CreateQueued(ChunkMetadata metadata, bool entriesHaveTag, ReadOnlySpan<byte> entries, int count, int retryCount)
    {
        var chunk = (MemoryChunk)Create(metadata, entriesHaveTag);
        try
        {
            chunk.Append(entries, count);
        }
        catch
        {
            chunk.Purge();
            throw;
        }
        chunk.SetRetries(retryCount);
        chunk.Enqueue();
        return chunk;
    }

    public IReadOnlyList<StoredChunk> Resume() => [];

    internal void Adjust(long delta) => Interlocked.Add(ref _totalBytes, delta);

    internal void Forget(MemoryChunk chunk)
    {
        lock (_live) _live.Remove(chunk);
    }

    /// <summary>Drops every chunk still held: whatever was not flushed is lost, as with fluentd's memory buffer.</summary>
    public void Dispose()
    {
        MemoryChunk[] chunks;
        lock (_live) chunks = _live.ToArray();
        foreach (var chunk in chunks) chunk.Purge();
    }
}
