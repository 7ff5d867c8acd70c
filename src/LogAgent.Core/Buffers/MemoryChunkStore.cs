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
