using Microsoft.Extensions.Logging;
using LogAgent.Sdk.Buffers;

namespace LogAgent.Core.Buffers;

/// <summary>
/// Resume of a file buffer directory: pairs each chunk file with its meta, validates every entry, salvages damaged
/// chunks up to their last whole entry and sets the originals aside in the backup directory.
/// <para>
/// fluentd (buf_file.rb <c>resume</c> / <c>handle_broken_files</c>) throws a whole chunk away when its file is empty or
/// its meta unreadable, and trusts the rest blindly. We keep more: a missing or broken meta is rebuilt from the data, and
/// a torn or garbled .log keeps its whole entries; only chunks with no whole entry are removed. Every damaged original
/// is first copied to <c>ROOT_DIR/backup/worker0/PLUGIN_ID/ID.log</c> (fluentd's backup layout, appended like its
/// <c>File.open(…, 'ab')</c>). Nothing here throws: a chunk that cannot be read is logged and left where it is.
/// </para>
/// </summary>
internal sealed class FileChunkRecovery(FileChunkStore store)
{
    private const string MetaExtension = ".meta";
    private readonly FileBufferPath _path = store.Path;
    private readonly ILogger _log = store.Logger;

    public List<FileChunk> Run()
    {
        var chunkFiles = new List<(string Path, ChunkState State, string Id)>();
        var metaFiles = new Dictionary<(string Id, ChunkState State), string>();
        foreach (var path in Directory.EnumerateFiles(_path.Directory))
        {
            var name = System.IO.Path.GetFileName(path);
            if (name.StartsWith(_path.Prefix + ".", StringComparison.Ordinal) && name.EndsWith(FileChunkStore.TempSuffix, StringComparison.Ordinal))
            {
                // A write that never reached its rename: the chunk it belonged to is complete without it.
                _log.LogWarning("removing unfinished buffer file {Path} left by a crash", path);
                TryDelete(path);
            }
            else if (name.EndsWith(MetaExtension, StringComparison.Ordinal))
            {
                if (_path.TryParseChunkName(name[..^MetaExtension.Length], out var state, out var id)) metaFiles[(id, state)] = path;
            }
            else if (_path.TryParseChunkName(name, out var state, out var id)) chunkFiles.Add((path, state, id));
        }

        var present = chunkFiles.Select(f => (f.Id, f.State)).ToHashSet();
        var chunks = new List<FileChunk>();
        foreach (var (path, state, id) in chunkFiles.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            // A crash between Enqueue's two renames leaves the data as .q and the meta still as .b (or, if another
            // tool renamed in the other order, the reverse): pair with the other state's meta when this one has none.
            var other = state == ChunkState.Staged ? ChunkState.Queued : ChunkState.Staged;
            string? metaPath = null;
            bool queuedByPair = false;
            if (metaFiles.Remove((id, state), out var own)) metaPath = own;
            else if (!present.Contains((id, other)) && metaFiles.Remove((id, other), out var sibling))
            {
                metaPath = sibling;
                queuedByPair = true; // one of the two files was already renamed to .q: the enqueue had begun
            }
            try
            {
                var chunk = Load(path, queuedByPair ? ChunkState.Queued : state, id, metaPath);
                if (chunk is not null) chunks.Add(chunk);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.LogError("cannot resume buffer chunk {Path}: {Reason}; it is left in place", path, e.Message);
            }
        }
        foreach (var orphan in metaFiles.Values)
        {
            // Purge deletes the data first, so a meta alone means its chunk was already delivered.
            _log.LogWarning("removing buffer meta {Path}: its chunk file is gone", orphan);
            TryDelete(orphan);
        }
        return chunks;
    }

    private FileChunk? Load(string path, ChunkState state, string idHex, string? metaPath)
    {
        var stored = File.ReadAllBytes(path);
        bool compressed = GzipMembers.LooksCompressed(stored);
        byte[] payload = stored;
        bool storageIntact = true;
        if (compressed)
        {
            var decoded = GzipMembers.DecodeSalvaging(stored);
            payload = decoded.Data;
            storageIntact = decoded.Complete;
        }
        var scan = ChunkEntryScan.Of(payload);

        string? metaProblem = null;
        FileChunkMeta? meta = null;
        byte[]? metaBytes = null;
        if (metaPath is null) metaProblem = "it has no meta file";
        else
        {
            metaBytes = File.ReadAllBytes(metaPath);
            meta = FileChunkMeta.TryDecode(metaBytes, out var problem);
            if (meta is null) metaProblem = problem;
        }

        if (scan.Count == 0)
        {
            var backup = Backup(path, metaPath, idHex);
            TryDelete(path);
            if (metaPath is not null) TryDelete(metaPath);
            _log.LogError("buffer chunk {Path} holds no whole entry ({Bytes} bytes{Problem}): removed{Backup}",
                path, stored.Length, scan.Problem is null ? "" : "; " + scan.Problem, backup is null ? "" : ", the original is in " + backup);
            return null;
        }

        long storedLength = stored.Length;
        bool metaReadable = meta is not null;
        bool metaIsCurrent = metaReadable;
        if (!storageIntact || scan.Problem is not null)
        {
            metaIsCurrent = false;
            var backup = Backup(path, metaPath, idHex);
            var kept = payload.AsMemory(0, scan.WholeBytes);
            storedLength = compressed ? RewriteCompressed(path, kept.Span) : Truncate(path, scan.WholeBytes);
            _log.LogError(
                "buffer chunk {Path} is damaged ({Problem}): kept its first {Entries} whole entries ({Kept} of {Total} bytes{Compressed}){Backup}",
                path, scan.Problem ?? "its gzip data is cut short", scan.Count, scan.WholeBytes, payload.Length,
                compressed ? ", uncompressed" : "", backup is null ? "" : "; the original is in " + backup);
        }

        var id = Convert.FromHexString(idHex);
        if (meta is null)
        {
            var modified = new DateTimeOffset(File.GetLastWriteTimeUtc(path)).ToUnixTimeSeconds();
            meta = new FileChunkMeta(ChunkMetadata.Empty, 0, id, scan.Count, modified, modified, 0);
            if (scan.EntriesHaveTag == true)
                _log.LogWarning("buffer chunk {Path}: {Problem}; rebuilt it from the data ({Entries} entries, each with its own tag)", path, metaProblem, scan.Count);
            else
                _log.LogError("buffer chunk {Path}: {Problem}; rebuilt it from the data ({Entries} entries) but the chunk's tag, time key and variables are unknown: its events will be written with no tag",
                    path, metaProblem, scan.Count);
            // Its chunk keys are unknown, so it must not collect new events (fluentd likewise queues a staged chunk
            // without meta at once: file_chunk.rb load_existing_staged_chunk).
            state = ChunkState.Queued;
        }
        else
        {
            if (meta.RecordCount != scan.Count || !meta.Id.AsSpan().SequenceEqual(id)) metaIsCurrent = false;
            // A meta counting fewer records than the data is normal: the count is updated at most once a second.
            if (meta.RecordCount > scan.Count && storageIntact && scan.Problem is null)
                _log.LogWarning("buffer chunk {Path}: its meta counts {MetaCount} records but the data holds {Entries}; using {Entries}",
                    path, meta.RecordCount, scan.Count, scan.Count);
            if (!meta.Id.AsSpan().SequenceEqual(id))
                _log.LogWarning("buffer chunk {Path}: its meta names chunk {MetaId}; using the id in the file name", path, ChunkId.ToHex(meta.Id));
            meta = meta with { Id = id, RecordCount = scan.Count };
        }

        // Renames (no new disk space needed) bring the pair to the names of its state; a readable meta moves along, so
        // it is never lost even if writing a fresh one fails below.
        var finalPath = _path.ChunkPath(state, idHex);
        var finalMeta = FileBufferPath.MetaPath(finalPath);
        if (finalPath != path) File.Move(path, finalPath);
        if (metaPath is not null && metaPath != finalMeta)
        {
            if (metaReadable) File.Move(metaPath, finalMeta, overwrite: true);
            else TryDelete(metaPath);
        }
        return FileChunk.Resumed(store, finalPath, state, id, meta, metaIsCurrent, scan.EntriesHaveTag!.Value, compressed,
            storedLength, scan.WholeBytes, scan.Count);
    }

    /// <summary>Copies the chunk (and meta) to the backup directory; returns where, or null when that failed (logged).</summary>
    private string? Backup(string path, string? metaPath, string idHex)
    {
        var target = System.IO.Path.Combine(store.BackupDirectory, idHex + ".log");
        try
        {
            Directory.CreateDirectory(store.BackupDirectory);
            AppendCopy(path, target);
            if (metaPath is not null) File.Copy(metaPath, target + MetaExtension, overwrite: true);
            return target;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogError("cannot back up damaged buffer chunk {Path} to {Target}: {Reason}", path, target, e.Message);
            return null;
        }
    }

    private static void AppendCopy(string source, string target)
    {
        using var input = File.OpenRead(source);
        using var output = new FileStream(target, FileMode.Append, FileAccess.Write);
        input.CopyTo(output);
    }

    private static long Truncate(string path, long length)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.SetLength(handle, length);
        return length;
    }

    /// <summary>A salvaged compressed chunk cannot be cut at an entry boundary: its kept entries become one new member.</summary>
    private static long RewriteCompressed(string path, ReadOnlySpan<byte> entries)
    {
        var member = GzipMembers.Compress(entries);
        var temp = path + FileChunkStore.TempSuffix;
        File.WriteAllBytes(temp, member);
        File.Move(temp, path, overwrite: true);
        return member.Length;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
