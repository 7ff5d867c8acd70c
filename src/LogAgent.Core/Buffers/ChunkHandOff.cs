using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Buffers;

/// <summary>
/// Where a chunk goes when its output cannot take it: the <c>&lt;secondary&gt;</c> output, the <c>@ERROR</c> label (for
/// unrecoverable errors), else the dead-letter directory — chunk files in fluentd's buffer format that
/// <c>logagent --replay-dead-letters</c> moves to the replay directory, from which the running output adopts them.
/// </summary>
public sealed class ChunkHandOff
{
    private readonly OutputPlugin? _secondary;
    private readonly Func<IEventRouter?> _errorLabel;
    private readonly Func<string, IChunkStore> _openStore;
    private readonly ILogger _log;

    public ChunkHandOff(OutputPlugin? secondary, Func<IEventRouter?> errorLabel, string? deadLetterDirectory, string? replayDirectory,
        Func<string, IChunkStore> openStore, ILogger log)
    {
        _secondary = secondary;
        _errorLabel = errorLabel;
        DeadLetterDirectory = deadLetterDirectory;
        ReplayDirectory = replayDirectory;
        _openStore = openStore;
        _log = log;
    }

    public bool HasSecondary => _secondary is not null;
    public OutputPlugin? Secondary => _secondary;
    public string? DeadLetterDirectory { get; }
    public string? ReplayDirectory { get; }

    /// <summary>fluentd's secondary: a buffered secondary writes the chunk itself; another output receives its events.</summary>
    public async Task<bool> TryWriteSecondaryAsync(BufferChunk chunk, CancellationToken cancellationToken)
    {
        if (_secondary is null) return false;
        try
        {
            if (_secondary is BufferedOutputPlugin buffered) await buffered.WriteAsync(chunk, cancellationToken);
            else foreach (var stream in chunk.ToEventStreams()) _secondary.Emit(stream);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogWarning("secondary {Secondary} failed for chunk_id=\"{Id}\": {Error}", _secondary.Id, chunk.UniqueId, e.Message);
            return false;
        }
    }

    /// <summary>Hands the chunk off; true when something took it (the caller may then delete it).</summary>
    public async Task<bool> HandOffAsync(BufferChunk chunk, Exception reason, bool unrecoverable, CancellationToken cancellationToken)
    {
        if (await TryWriteSecondaryAsync(chunk, cancellationToken)) return true;
        if (unrecoverable && _errorLabel() is { } errorLabel)
        {
            try
            {
                foreach (var stream in chunk.ToEventStreams()) errorLabel.Emit(stream);
                _log.LogWarning("sent chunk_id=\"{Id}\" ({Records} records) to @ERROR: {Reason}", chunk.UniqueId, chunk.RecordCount, reason.Message);
                return true;
            }
            catch (Exception e)
            {
                _log.LogError("@ERROR label failed for chunk_id=\"{Id}\": {Error}", chunk.UniqueId, e.Message);
            }
        }
        return await DeadLetterAsync(chunk, reason.Message);
    }

    public Task<bool> DeadLetterAsync(BufferChunk chunk, string why)
    {
        if (DeadLetterDirectory is null)
        {
            _log.LogError("chunk_id=\"{Id}\" ({Records} records) cannot be delivered ({Why}) and there is no dead-letter directory: set <system> root_dir",
                chunk.UniqueId, chunk.RecordCount, why);
            return Task.FromResult(false);
        }
        try
        {
            Directory.CreateDirectory(DeadLetterDirectory);
            using var store = _openStore(DeadLetterDirectory);
            store.CreateQueued(chunk.Metadata, chunk.EntriesHaveTag, chunk.ReadEntries().Span, chunk.RecordCount, chunk.RetryCount);
            _log.LogError("chunk_id=\"{Id}\" ({Records} records) moved to the dead-letter directory {Directory}: {Why}. Replay it with: logagent --replay-dead-letters -c CONFIG",
                chunk.UniqueId, chunk.RecordCount, DeadLetterDirectory, why);
            return Task.FromResult(true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogError("cannot write chunk_id=\"{Id}\" to the dead-letter directory {Directory}: {Error}", chunk.UniqueId, DeadLetterDirectory, e.Message);
            return Task.FromResult(false);
        }
    }

    /// <summary>Moves chunks an operator replayed into the buffer's queue.</summary>
    public void AdoptReplayedChunks(OutputBuffer buffer)
    {
        if (ReplayDirectory is null || !Directory.Exists(ReplayDirectory) || !Directory.EnumerateFiles(ReplayDirectory, "*.log").Any()) return;
        try
        {
            using var store = _openStore(ReplayDirectory);
            foreach (var chunk in store.Resume())
            {
                buffer.AdoptQueued(chunk.Metadata, chunk.EntriesHaveTag, chunk.ReadEntries().Span, chunk.RecordCount, 0);
                chunk.Purge();
                _log.LogInformation("replaying dead-letter chunk_id=\"{Id}\" ({Records} records)", chunk.UniqueId, chunk.RecordCount);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogError("cannot adopt replayed chunks from {Directory}: {Error}", ReplayDirectory, e.Message);
        }
    }

    /// <summary>For <c>--replay-dead-letters</c>: moves every dead-letter chunk file to the replay directory; returns how many chunks.</summary>
    public int MoveDeadLettersToReplay()
    {
        if (DeadLetterDirectory is null || ReplayDirectory is null || !Directory.Exists(DeadLetterDirectory)) return 0;
        Directory.CreateDirectory(ReplayDirectory);
        int chunks = 0;
        // Metadata first: the running agent adopts a chunk when its .log appears, and must find its .meta beside it.
        foreach (var file in Directory.EnumerateFiles(DeadLetterDirectory).Where(f => !f.EndsWith(".lock")).OrderBy(f => f.EndsWith(".log")).ToList())
        {
            File.Move(file, Path.Combine(ReplayDirectory, Path.GetFileName(file)), overwrite: true);
            if (file.EndsWith(".log")) chunks++;
        }
        return chunks;
    }
}
