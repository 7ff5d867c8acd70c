using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Buffers;

/// <summary>
/// The engine's side of a buffered output: where <see cref="Plugins.BufferedOutputPlugin.Emit"/> appends, and where
/// a delayed commit is reported. Implemented by the engine; plugins never implement it.
/// </summary>
public interface IChunkSink
{
    /// <summary>Appends to the chunks selected by the chunk keys. Blocks or throws per overflow_action when full.</summary>
    void Append(EventStream stream);

    /// <summary>A write started by TryWriteAsync succeeded: the chunk may be deleted.</summary>
    void Commit(string chunkId);

    /// <summary>A write started by TryWriteAsync failed: the chunk goes back to the queue for retry.</summary>
    void Rollback(string chunkId, Exception? reason);
}
