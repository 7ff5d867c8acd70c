namespace LogAgent.Sdk.Buffers;

/// <summary>
/// Thrown by a buffered output when retrying cannot help (bad credentials, a record the destination will never
/// accept): the chunk goes to <c>&lt;secondary&gt;</c> or the <c>@ERROR</c> label at once instead of retrying.
/// </summary>
public class UnrecoverableWriteException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Thrown by a buffered output when part of a chunk was delivered: only <see cref="RemainingEntries"/> (entries in
/// the chunk's own format) go back to the buffer for retry, so what succeeded is not sent again.
/// </summary>
public class PartialWriteException(string message, ReadOnlyMemory<byte> remainingEntries, int remainingCount, Exception? inner = null)
    : Exception(message, inner)
{
    public ReadOnlyMemory<byte> RemainingEntries { get; } = remainingEntries;
    public int RemainingCount { get; } = remainingCount;
}
