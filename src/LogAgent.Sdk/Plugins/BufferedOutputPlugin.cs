using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Plugins;

/// <summary>
/// An output with fluentd's <c>&lt;buffer&gt;</c> semantics. The engine appends emitted events to chunks (in memory or
/// on disk), flushes them by the buffer's rules, retries failures with backoff, and hands exhausted or unrecoverable
/// chunks to <c>&lt;secondary&gt;</c>. The plugin implements one thing: <see cref="WriteAsync"/>, "write this chunk" —
/// return when it is delivered, throw when it is not. A chunk is deleted only after WriteAsync returned (or a
/// delayed write was committed).
/// </summary>
public abstract class BufferedOutputPlugin : OutputPlugin
{
    private IChunkSink? _sink;

    /// <summary>Given by the engine when it builds the buffer; not for plugin code.</summary>
    public void AttachBuffer(IChunkSink sink) => _sink = sink;

    /// <summary>This output's defaults for its &lt;buffer&gt; section.</summary>
    public virtual BufferDefaults BufferDefaults => new();

    /// <summary>Names of this plugin's parameters that may hold buffer placeholders (checked against the chunk keys).</summary>
    public virtual IEnumerable<string> PlaceholderParameters => Array.Empty<string>();

    public sealed override void Emit(EventStream stream) =>
        (_sink ?? throw new InvalidOperationException($"{GetType().Name} has no buffer attached")).Append(stream);

    /// <summary>
    /// Delivers one chunk. Throw to retry it later; throw <see cref="UnrecoverableWriteException"/> when retrying cannot
    /// help; throw <see cref="PartialWriteException"/> when only part was delivered.
    /// </summary>
    public abstract Task WriteAsync(BufferChunk chunk, CancellationToken cancellationToken);

    /// <summary>
    /// True when the plugin confirms delivery later (e.g. after an ack): the engine then calls
    /// <see cref="TryWriteAsync"/> and waits for <see cref="CommitWrite"/> or <see cref="RollbackWrite"/> up to
    /// delayed_commit_timeout before rolling the chunk back.
    /// </summary>
    public virtual bool UsesDelayedCommit => false;

    /// <summary>Starts sending a chunk whose delivery is confirmed later through <see cref="CommitWrite"/>.</summary>
    public virtual Task TryWriteAsync(BufferChunk chunk, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"{GetType().Name} does not use delayed commit");

    protected void CommitWrite(string chunkId) => _sink?.Commit(chunkId);

    protected void RollbackWrite(string chunkId, Exception? reason = null) => _sink?.Rollback(chunkId, reason);
}
