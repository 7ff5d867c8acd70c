using System.Buffers;
using LogAgent.Sdk.Buffers;

namespace LogAgent.Core.Buffers;

/// <summary>
/// A chunk held in one growing array rented from its store's pool (fluentd's MemoryChunk keeps one
/// growing String). With <c>compress gzip</c> each append is stored as its own gzip member, as fluentd does.
/// Memory returned by <see cref="ReadEntries"/> stays valid until <see cref="Purge"/>, which returns the array to the
/// pool; so the buffer must copy what it keeps (e.g. a partial write's remainder, via CreateQueued) before purging.
/// </summary>
public sealed class MemoryChunk : StoredChunk
{
    private const int InitialCapacity = 4096;

    private readonly MemoryChunkStore _store;
    private readonly bool _compressed;
    private byte[] _data = [];
    private int _length;
    private long _rawBytes;
    private int _count;
    private int _retries;
    private ChunkState _state = ChunkState.Staged;
    private bool _purged;
    // Set once ReadEntries has handed out memory over _data: that array must then not go back to the pool on growth.
    private bool _exposed;
    private DateTimeOffset _modifiedAt;

    internal MemoryChunk(MemoryChunkStore store, ChunkMetadata metadata, bool entriesHaveTag, long sequence, bool compressed)
    {
        _store = store;
        _compressed = compressed;
        UniqueId = ChunkId.NewHex();
        Metadata = metadata;
        EntriesHaveTag = entriesHaveTag;
        Sequence = sequence;
        CreatedAt = _modifiedAt = DateTimeOffset.UtcNow;
    }

    public override string UniqueId { get; }
    public override ChunkMetadata Metadata { get; }
    public override bool EntriesHaveTag { get; }
    public override long Sequence { get; }
    public override DateTimeOffset CreatedAt { get; }
    public override DateTimeOffset ModifiedAt => _modifiedAt;
    public override int RecordCount => _count;
    public override long ByteSize => _rawBytes;
    public override int RetryCount => _retries;
    public override ChunkState State => _state;

    /// <summary>Bytes held, compressed when <c>compress gzip</c> (what counts toward total_limit_size).</summary>
    internal int StoredBytes => _length;

    public override void Append(ReadOnlySpan<byte> entries, int count)
    {
        if (_state != ChunkState.Staged || _purged) throw new InvalidOperationException($"chunk {UniqueId} is {(_purged ? "purged" : "queued")}: no more appends");
        if (entries.IsEmpty) return;
        // Everything that can fail (compression, allocation) happens before the chunk changes.
        ReadOnlySpan<byte> stored = _compressed ? GzipMembers.Compress(entries) : entries;
        EnsureCapacity((long)_length + stored.Length);
        stored.CopyTo(_data.AsSpan(_length));
        _length += stored.Length;
        _rawBytes += entries.Length;
        _count += count;
        _modifiedAt = DateTimeOffset.UtcNow;
        _store.Adjust(stored.Length);
    }

    public override ReadOnlyMemory<byte> ReadEntries()
    {
        if (_purged) throw new ObjectDisposedException($"chunk {UniqueId}", "the chunk was purged");
        if (_compressed) return _length == 0 ? ReadOnlyMemory<byte>.Empty : GzipMembers.Decompress(_data.AsMemory(0, _length));
        _exposed = true;
        return _data.AsMemory(0, _length);
    }

    public override void Enqueue()
    {
        if (_purged) throw new InvalidOperationException($"chunk {UniqueId} was purged");
        _state = ChunkState.Queued;
    }

    public override void RecordRetry() => _retries++;

    internal void SetRetries(int retries) => _retries = retries;

    public override void Purge()
    {
        if (_purged) return;
        _purged = true;
        _store.Adjust(-_length);
        _store.Forget(this);
        if (_data.Length > 0) _store.Arrays.Return(_data);
        _data = [];
        _length = 0;
    }

    private void EnsureCapacity(long needed)
    {
        if (needed <= _data.Length) return;
        if (needed > Array.MaxLength) throw new InvalidOperationException($"chunk {UniqueId} cannot grow beyond {Array.MaxLength} bytes");
        long size = Math.Max(InitialCapacity, (long)_data.Length * 2);
        while (size < needed) size *= 2;
        var grown = _store.Arrays.Rent((int)Math.Min(size, Array.MaxLength));
        _data.AsSpan(0, _length).CopyTo(grown);
        if (_data.Length > 0 && !_exposed) _store.Arrays.Return(_data);
        _data = grown;
        _exposed = false;
    }
}
