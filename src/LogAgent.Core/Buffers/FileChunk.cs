using Microsoft.Win32.SafeHandles;
using Microsoft.Extensions.Logging;
using LogAgent.Sdk.Buffers;

namespace LogAgent.Core.Buffers;

/// <summary>
/// A chunk in two files, byte-compatible with fluentd's buffer/file_chunk.rb: <c>.log</c> holds the entries (gzip
/// members under <c>compress gzip</c>), <c>.log.meta</c> the metadata (<see cref="FileChunkMeta"/>).
/// <para>
/// Durability: every append reaches the kernel before Append returns, so a crash of the agent loses nothing. Without
/// <c>fsync</c> the data may still sit in the OS page cache and a power loss or kernel crash can lose the last seconds
/// of appends (Resume then salvages the chunk up to its last whole entry); with <c>fsync</c> each append and each meta
/// write is flushed to the device first, at the cost of a disk flush per append. Directory entries (creates,
/// renames) are not fsynced, as fluentd does not either.
/// </para>
/// </summary>
public sealed class FileChunk : StoredChunk
{
    private readonly FileChunkStore _store;
    private readonly byte[] _id;
    private readonly bool _compressed;
    private string _logPath;
    private SafeFileHandle? _log;   // open while staged (fluentd keeps the chunk file open for appends too)
    private SafeFileHandle? _meta;  // open while staged, for the in-place update after each append
    private long _storedLength;
    private long _rawBytes;
    private int _count;
    private int _retries;
    private long _modifiedUnix;
    private ChunkState _state;
    private bool _purged;

    private FileChunk(FileChunkStore store, byte[] id, ChunkMetadata metadata, bool entriesHaveTag, long sequence, bool compressed,
        ChunkState state, string logPath, long createdUnix)
    {
        _store = store;
        _id = id;
        UniqueId = ChunkId.ToHex(id);
        Metadata = metadata;
        EntriesHaveTag = entriesHaveTag;
        Sequence = sequence;
        _compressed = compressed;
        _state = state;
        _logPath = logPath;
        CreatedUnix = _modifiedUnix = createdUnix;
    }

    public override string UniqueId { get; }
    public override ChunkMetadata Metadata { get; }
    public override bool EntriesHaveTag { get; }
    public override long Sequence { get; }
    public override int RecordCount => _count;
    public override long ByteSize => _rawBytes;
    public override int RetryCount => _retries;
    public override ChunkState State => _state;
    public override DateTimeOffset CreatedAt => DateTimeOffset.FromUnixTimeSeconds(CreatedUnix);
    public override DateTimeOffset ModifiedAt => DateTimeOffset.FromUnixTimeSeconds(_modifiedUnix);
    private long CreatedUnix { get; }

    /// <summary>The chunk's data file (its name changes from .b… to .q… on Enqueue).</summary>
    public string LogPath => _logPath;
    public string MetaPath => FileBufferPath.MetaPath(_logPath);
    /// <summary>Bytes in the data file, compressed under <c>compress gzip</c> (what counts toward total_limit_size).</summary>
    public long StoredBytes => _storedLength;

    /// <summary>A new staged chunk: an empty .b file and its meta, written before the chunk is handed out.</summary>
    internal static FileChunk CreateStaged(FileChunkStore store, ChunkMetadata metadata, bool entriesHaveTag, long sequence)
    {
        var id = ChunkId.New();
        var path = store.Path.ChunkPath(ChunkState.Staged, ChunkId.ToHex(id));
        var chunk = new FileChunk(store, id, metadata, entriesHaveTag, sequence, store.CompressGzip, ChunkState.Staged, path, NowUnix());
        try
        {
            chunk._log = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
            chunk.WriteMetaAtomically();
            chunk.OpenMetaForUpdates();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            chunk.CloseHandles();
            TryDelete(path);
            TryDelete(chunk.MetaPath);
            throw new IOException($"cannot create buffer chunk {path}: {e.Message}", e);
        }
        return chunk;
    }

    /// <summary>
    /// A new queued chunk holding <paramref name="entries"/>. The data goes to a temporary name first and is renamed
    /// into place last, so a crash never leaves a half-written copy that Resume would take for a chunk.
    /// </summary>
    internal static FileChunk CreateQueued(FileChunkStore store, ChunkMetadata metadata, bool entriesHaveTag, long sequence,
        ReadOnlySpan<byte> entries, int count, int retries)
    {
        var id = ChunkId.New();
        var path = store.Path.ChunkPath(ChunkState.Queued, ChunkId.ToHex(id));
        var chunk = new FileChunk(store, id, metadata, entriesHaveTag, sequence, store.CompressGzip, ChunkState.Queued, path, NowUnix());
        ReadOnlySpan<byte> stored = chunk._compressed && !entries.IsEmpty ? GzipMembers.Compress(entries) : entries;
        var temp = path + FileChunkStore.TempSuffix;
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
            {
                RandomAccess.Write(handle, stored, 0);
                if (store.Fsync) RandomAccess.FlushToDisk(handle);
            }
            chunk._storedLength = stored.Length;
            chunk._rawBytes = entries.Length;
            chunk._count = count;
            chunk._retries = retries;
            chunk.WriteMetaAtomically();
            File.Move(temp, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            TryDelete(chunk.MetaPath);
            throw new IOException($"cannot write buffer chunk {path}: {e.Message}", e);
        }
        return chunk;
    }

    /// <summary>A chunk found on disk by Resume, already validated (and salvaged) by <see cref="FileChunkRecovery"/>.</summary>
    /// <param name="metaOnDiskIsCurrent">False when the meta file is missing, was rebuilt or no longer matches the data.</param>
    internal static FileChunk Resumed(FileChunkStore store, string logPath, ChunkState state, byte[] id, FileChunkMeta meta,
        bool metaOnDiskIsCurrent, bool entriesHaveTag, bool compressed, long storedLength, long rawBytes, int count)
    {
        var chunk = new FileChunk(store, id, meta.Metadata, entriesHaveTag, meta.Sequence, compressed, state, logPath, meta.CreatedUnix)
        {
            _storedLength = storedLength,
            _rawBytes = rawBytes,
            _count = count,
            _retries = meta.Retries,
            _modifiedUnix = meta.ModifiedUnix,
        };
        if (!metaOnDiskIsCurrent && !chunk.TryUpdateMetaInPlace())
        {
            try { chunk.WriteMetaAtomically(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // E.g. a full disk: the chunk is still sound, and the next start rebuilds the meta from the data again.
                store.Logger.LogWarning("cannot rewrite buffer meta {MetaPath}: {Reason}", chunk.MetaPath, e.Message);
            }
        }
        if (state == ChunkState.Staged)
        {
            chunk._log = File.OpenHandle(logPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
            chunk.OpenMetaForUpdates();
        }
        return chunk;
    }

    /// <summary>
    /// Writes the entries at the end of the .log, then updates the meta in place. If either write fails the .log is
    /// truncated back to its previous length, so the chunk is unchanged, and an IOException naming the file is thrown
    /// (fluentd does the same in FileChunk#rollback after a failed concat/commit).
    /// </summary>
    public override void Append(ReadOnlySpan<byte> entries, int count)
    {
        if (_state != ChunkState.Staged || _log is null)
            throw new InvalidOperationException($"buffer chunk {_logPath} is {(_purged ? "purged" : _state == ChunkState.Queued ? "queued" : "closed")}: no more appends");
        if (entries.IsEmpty) return;
        ReadOnlySpan<byte> stored = _compressed ? GzipMembers.Compress(entries) : entries;
        long before = _storedLength;
        long now = NowUnix();
        try
        {
            RandomAccess.Write(_log, stored, before);
            if (_store.Fsync) RandomAccess.FlushToDisk(_log);
            WriteMetaInPlace(_count + count, now);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string undo;
            try
            {
                RandomAccess.SetLength(_log, before);
                undo = $"the chunk was truncated back to its previous {before} bytes";
            }
            catch (Exception t) when (t is IOException or UnauthorizedAccessException)
            {
                undo = $"truncating it back to {before} bytes also failed ({t.Message}); Resume will keep only whole entries";
            }
            throw new IOException($"cannot append {stored.Length} bytes to buffer chunk {_logPath}: {e.Message}; {undo}", e);
        }
        _storedLength += stored.Length;
        _rawBytes += entries.Length;
        _count += count;
        _modifiedUnix = now;
        _store.Adjust(stored.Length);
    }

    public override ReadOnlyMemory<byte> ReadEntries()
    {
        if (_purged) throw new ObjectDisposedException($"buffer chunk {_logPath}", "the chunk was purged");
        var stored = new byte[_storedLength];
        if (_log is not null) RandomAccess.Read(_log, stored, 0);
        else
        {
            using var handle = File.OpenHandle(_logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            int read = RandomAccess.Read(handle, stored, 0);
            if (read != stored.Length) throw new IOException($"buffer chunk {_logPath} holds {read} bytes, expected {stored.Length}: it was changed by someone else");
        }
        return _compressed && stored.Length > 0 ? GzipMembers.Decompress(stored) : stored;
    }

    /// <summary>
    /// Renames .b → .q, data file first, then the meta (file_chunk.rb's <c>enqueued!</c> order). The final meta is
    /// written atomically before either rename. A crash between the two renames leaves <c>.q….log</c> beside
    /// <c>.b….log.meta</c>; Resume pairs them up again.
    /// </summary>
    public override void Enqueue()
    {
        if (_state != ChunkState.Staged) return;
        var oldLog = _logPath;
        var oldMeta = MetaPath;
        var newLog = _store.Path.ChunkPath(ChunkState.Queued, UniqueId);
        var newMeta = FileBufferPath.MetaPath(newLog);
        try
        {
            _meta?.Dispose();
            _meta = null;
            WriteMetaAtomically();
            File.Move(oldLog, newLog);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryReopenMeta();
            throw new IOException($"cannot enqueue buffer chunk {oldLog}: {e.Message}", e);
        }
        try
        {
            File.Move(oldMeta, newMeta);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try { File.Move(newLog, oldLog); }
            catch (Exception r) when (r is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"cannot enqueue buffer chunk {oldLog} ({e.Message}) nor move it back ({r.Message}); Resume will pair {newLog} with {oldMeta}", e);
            }
            TryReopenMeta();
            throw new IOException($"cannot enqueue buffer chunk {oldLog}: {e.Message}", e);
        }
        _log?.Dispose();
        _log = null;
        _logPath = newLog;
        _state = ChunkState.Queued;
    }

    /// <summary>Counts a failed write and persists it (meta rewritten atomically) so retry limits survive a restart.</summary>
    public override void RecordRetry()
    {
        _retries++;
        if (_purged) return;
        try
        {
            if (_meta is not null) { _meta.Dispose(); _meta = null; }
            WriteMetaAtomically();
            if (_state == ChunkState.Staged) OpenMetaForUpdates();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The count stays right in memory; only a restart would forget this attempt.
            _store.Logger.LogWarning("cannot record retry {Retries} in {MetaPath}: {Reason}", _retries, MetaPath, e.Message);
        }
    }

    /// <summary>Deletes the data file, then the meta (an orphan meta is harmless; Resume removes it).</summary>
    public override void Purge()
    {
        if (_purged) return;
        _purged = true;
        CloseHandles();
        File.Delete(_logPath);
        TryDelete(MetaPath);
        _store.Adjust(-_storedLength);
        _store.Forget(this);
    }

    /// <summary>Closes the files at shutdown; an empty staged chunk is deleted, as fluentd's FileChunk#close does.</summary>
    internal void Close()
    {
        CloseHandles();
        if (_state == ChunkState.Staged && _storedLength == 0 && !_purged)
        {
            TryDelete(_logPath);
            TryDelete(MetaPath);
        }
    }

    private FileChunkMeta CurrentMeta(long count, long modifiedUnix) =>
        new(Metadata, Sequence, _id, count, CreatedUnix, modifiedUnix, _retries);

    /// <summary>
    /// fluentd rewrites the meta in place (seek 0, write, no truncate) on every append commit. We do the same with one
    /// positioned write of ~100 bytes: the length header makes leftover bytes of a longer old meta harmless, and once
    /// our layout is there only the fixed-width <c>s</c> and <c>m</c> bytes change, so even a torn write cannot damage
    /// the tag or keys. Resume recounts entries from the .log rather than trusting <c>s</c>. No new disk space is
    /// needed, so this works on a full disk, which a temp-file-and-rename per append would not.
    /// </summary>
    private long _metaWrittenUnix = -1;

    // The in-place meta update runs at most once per second (and on every append with fsync): Resume recounts the
    // entries from the .log, so a count up to a second old costs nothing, while encoding the meta on every append
    // halved the file buffer's append rate for one-event appends.
    private void WriteMetaInPlace(long count, long modifiedUnix)
    {
        if (_meta is null || (!_store.Fsync && modifiedUnix == _metaWrittenUnix)) return;
        RandomAccess.Write(_meta, CurrentMeta(count, modifiedUnix).Encode(), 0);
        _metaWrittenUnix = modifiedUnix;
        if (_store.Fsync) RandomAccess.FlushToDisk(_meta);
    }

    /// <summary>
    /// Rewrites an existing meta of the same encoded length in place (only the count and times differ): this needs
    /// no new disk space, so it works on a full disk. False when the file is missing or differs in length.
    /// </summary>
    private bool TryUpdateMetaInPlace()
    {
        try
        {
            var bytes = CurrentMeta(_count, _modifiedUnix).Encode();
            using var handle = File.OpenHandle(MetaPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);
            if (RandomAccess.GetLength(handle) != bytes.Length) return false;
            RandomAccess.Write(handle, bytes, 0);
            if (_store.Fsync) RandomAccess.FlushToDisk(handle);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Writes the whole meta to a temporary file and renames it over the old one.</summary>
    private void WriteMetaAtomically()
    {
        var path = MetaPath;
        var temp = path + FileChunkStore.TempSuffix;
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
            {
                RandomAccess.Write(handle, CurrentMeta(_count, _modifiedUnix).Encode(), 0);
                if (_store.Fsync) RandomAccess.FlushToDisk(handle);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private void OpenMetaForUpdates() =>
        _meta = File.OpenHandle(MetaPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete);

    private void TryReopenMeta()
    {
        try { if (_meta is null && _state == ChunkState.Staged) OpenMetaForUpdates(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    private void CloseHandles()
    {
        _log?.Dispose();
        _log = null;
        _meta?.Dispose();
        _meta = null;
    }

    private static long NowUnix() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
