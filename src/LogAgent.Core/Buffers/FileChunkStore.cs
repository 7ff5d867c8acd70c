using System.Text;
using Microsoft.Extensions.Logging;
using LogAgent.Sdk.Buffers;

namespace LogAgent.Core.Buffers;

/// <summary>
/// <c>@type file</c>: chunks as files in fluentd's layout (buf_file.rb), so LogAgent resumes a buffer directory that
/// fluentd/td-agent left behind and vice versa. The buffer directory is locked for the life of the store.
/// </summary>
public sealed class FileChunkStore : IChunkStore
{
    /// <summary>Suffix of files being written before an atomic rename; leftovers from a crash are removed by Resume.</summary>
    internal const string TempSuffix = ".tmp";

    private readonly HashSet<FileChunk> _live = new(ReferenceEqualityComparer.Instance);
    private readonly FileStream _lock;
    private long _totalBytes;
    private long _lastSequence;

    /// <param name="pathSetting">The <c>&lt;buffer&gt;</c> section's <c>path</c>: a directory or a pattern with <c>*</c>; null for the default under root_dir.</param>
    /// <param name="rootDirDefault"><c>&lt;system&gt; root_dir</c>, for the default path and the backup directory.</param>
    /// <param name="pluginId">The output's <c>@id</c>.</param>
    /// <param name="compressGzip"><c>compress gzip</c>: each append is stored as a gzip member.</param>
    /// <param name="fsync">Flush each append and meta write to the device (see <see cref="FileChunk"/> for what is at stake).</param>
    public FileChunkStore(string? pathSetting, string? rootDirDefault, string pluginId, bool compressGzip, bool fsync, ILogger logger)
    {
        Path = FileBufferPath.Resolve(pathSetting, rootDirDefault, pluginId);
        BackupDirectory = FileBufferPath.BackupDirectory(rootDirDefault, pluginId);
        CompressGzip = compressGzip;
        Fsync = fsync;
        Logger = logger;
        Directory.CreateDirectory(Path.Directory);
        _lock = AcquireLock(Path);
    }

    public FileBufferPath Path { get; }
    public string BackupDirectory { get; }
    internal bool CompressGzip { get; }
    internal bool Fsync { get; }
    internal ILogger Logger { get; }

    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    public StoredChunk Create(ChunkMetadata metadata, bool entriesHaveTag) =>
        Track(FileChunk.CreateStaged(this, metadata, entriesHaveTag, Interlocked.Increment(ref _lastSequence)));

    public StoredChunk CreateQueued(ChunkMetadata metadata, bool entriesHaveTag, ReadOnlySpan<byte> entries, int count, int retryCount)
    {
        var chunk = FileChunk.CreateQueued(this, metadata, entriesHaveTag, Interlocked.Increment(ref _lastSequence), entries, count, retryCount);
        Adjust(chunk.StoredBytes);
        return Track(chunk);
    }

    /// <summary>
    /// Loads every chunk in the buffer directory (see <see cref="FileChunkRecovery"/>): queued chunks first, oldest
    /// modified first (buf_file.rb sorts the queue by modified_at), then staged chunks by creation; ties are broken by
    /// sequence and by the time-based unique id. Never throws on damaged files.
    /// </summary>
    public IReadOnlyList<StoredChunk> Resume()
    {
        var chunks = new FileChunkRecovery(this).Run();
        foreach (var chunk in chunks)
        {
            Track(chunk);
            Adjust(chunk.StoredBytes);
            long seen = chunk.Sequence;
            long last;
            while (seen > (last = Interlocked.Read(ref _lastSequence)) && Interlocked.CompareExchange(ref _lastSequence, seen, last) != last) { }
        }
        return chunks
            .OrderBy(c => c.State == ChunkState.Queued ? 0 : 1)
            .ThenBy(c => c.State == ChunkState.Queued ? c.ModifiedAt : c.CreatedAt)
            .ThenBy(c => c.Sequence)
            .ThenBy(c => c.UniqueId, StringComparer.Ordinal)
            .ToList();
    }

    internal void Adjust(long delta) => Interlocked.Add(ref _totalBytes, delta);

    internal void Forget(FileChunk chunk)
    {
        lock (_live) _live.Remove(chunk);
    }

    private FileChunk Track(FileChunk chunk)
    {
        lock (_live) _live.Add(chunk);
        return chunk;
    }

    /// <summary>
    /// Holds <c>PREFIX.lock</c> open with FileShare.None, which .NET implements on Unix with an exclusive flock: a
    /// second agent (or a second store in this process) on the same path is refused, and the lock goes away with the
    /// process however it ends. (Setting DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns this protection off.)
    /// </summary>
    private static FileStream AcquireLock(FileBufferPath path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path.LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"buffer path {path.Pattern} is used by another process (cannot lock {path.LockPath}: {e.Message}); each buffer needs its own path", e);
        }
        // The pid is for people looking at the directory; the flock is what excludes.
        stream.SetLength(0);
        stream.Write(Encoding.ASCII.GetBytes(Environment.ProcessId + "\n"));
        stream.Flush();
        return stream;
    }

    /// <summary>Closes every chunk's files (their data stays for the next Resume) and releases the lock.</summary>
    public void Dispose()
    {
        FileChunk[] chunks;
        lock (_live) { chunks = _live.ToArray(); _live.Clear(); }
        foreach (var chunk in chunks) chunk.Close();
        _lock.Dispose();
    }
}
