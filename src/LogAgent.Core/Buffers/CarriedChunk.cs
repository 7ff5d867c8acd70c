using LogAgent.Sdk.Buffers;

namespace LogAgent.Core.Buffers;

/// <summary>
/// A memory-buffered chunk that the old pipeline could not deliver before a graceful reload, carried into the new
/// pipeline instead of being dropped: a copy of its entries, which output it was for (<see cref="OutputId"/> and the
/// plugin class, so it goes to the output with the same <c>@id</c> and type), and where it can still go when no
/// output of the new pipeline takes it (<see cref="From"/>: the old output's dead-letter directory).
/// </summary>
public sealed class CarriedChunk : BufferChunk
{
    private readonly byte[] _entries;

    public CarriedChunk(StoredChunk chunk, string outputId, Type outputClass, ChunkHandOff from)
    {
        _entries = chunk.ReadEntries().ToArray();
        UniqueId = chunk.UniqueId;
        Metadata = chunk.Metadata;
        RecordCount = chunk.RecordCount;
        EntriesHaveTag = chunk.EntriesHaveTag;
        RetryCount = chunk.RetryCount;
        CreatedAt = chunk.CreatedAt;
        OutputId = outputId;
        OutputClass = outputClass;
        From = from;
    }

    public string OutputId { get; }
    public Type OutputClass { get; }
    public ChunkHandOff From { get; }

    public override string UniqueId { get; }
    public override ChunkMetadata Metadata { get; }
    public override int RecordCount { get; }
    public override long ByteSize => _entries.Length;
    public override bool EntriesHaveTag { get; }
    public override int RetryCount { get; }
    public override DateTimeOffset CreatedAt { get; }
    public override ReadOnlyMemory<byte> ReadEntries() => _entries;
    public override string Expand(string template) => template;
}
