using LogAgent.Sdk.Buffers;

namespace LogAgent.Tests.Forward;

/// <summary>A buffer chunk made from entry bytes, for calling an output's WriteAsync directly.</summary>
public sealed class TestChunk(string tag, byte[] entries, int count, string? uniqueId = null) : BufferChunk
{
    public override string UniqueId { get; } = uniqueId ?? Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();
    public override ChunkMetadata Metadata { get; } = new(tag, null, null);
    public override int RecordCount => count;
    public override long ByteSize => entries.Length;
    public override bool EntriesHaveTag => false;
    public override int RetryCount => 0;
    public override DateTimeOffset CreatedAt { get; } = DateTimeOffset.UtcNow;
    public override ReadOnlyMemory<byte> ReadEntries() => entries;
    public override string Expand(string template) => template;
}
