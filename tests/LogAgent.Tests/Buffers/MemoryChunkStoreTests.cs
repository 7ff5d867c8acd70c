using LogAgent.Core.Buffers;
using static LogAgent.Tests.Buffers.ChunkTestData;

namespace LogAgent.Tests.Buffers;

public class MemoryChunkStoreTests
{
    [Fact]
    public void AppendedEntriesAreReadBackInOrder()
    {
        using var store = new MemoryChunkStore();
        var chunk = store.Create(Tag("app"), entriesHaveTag: false);
        chunk.Append(Entries(1, 10), 10);
        chunk.Append(Entries(11, 5), 5);

        Assert.Equal(Range(1, 15), Seqs(chunk));
        Assert.Equal(15, chunk.RecordCount);
        Assert.Equal(Entries(1, 10).Length + Entries(11, 5).Length, chunk.ByteSize);
        Assert.Equal(ChunkState.Staged, chunk.State);
        Assert.Equal(32, chunk.UniqueId.Length);
    }

    [Fact]
    public void ChunksGrowFarBeyondTheirFirstArray()
    {
        using var store = new MemoryChunkStore();
        var chunk = store.Create(Tag("app"), false);
        var early = chunk.ReadEntries(); // handed out before growth: must not be recycled under the reader
        for (int i = 0; i < 2000; i++) chunk.Append(Entries(i * 10, 10), 10);

        Assert.Equal(Range(0, 20000), Seqs(chunk));
        Assert.Equal(0, early.Length);
    }

    [Fact]
    public void AppendToAQueuedChunkIsRefusedAndChangesNothing()
    {
        using var store = new MemoryChunkStore();
        var chunk = store.Create(Tag("app"), false);
        chunk.Append(Entries(1, 3), 3);
        chunk.Enqueue();

        Assert.Throws<InvalidOperationException>(() => chunk.Append(Entries(4, 1), 1));
        Assert.Equal(Range(1, 3), Seqs(chunk));
        Assert.Equal(ChunkState.Queued, chunk.State);
    }

    [Fact]
    public void GzipStoresEachAppendAsItsOwnMemberAndReadsDecompressed()
    {
        using var store = new MemoryChunkStore(compressGzip: true);
        var chunk = (MemoryChunk)store.Create(Tag("app"), false);
        byte[] a = Entries(1, 50), b = Entries(51, 50);
        chunk.Append(a, 50);
        chunk.Append(b, 50);

        Assert.Equal(Range(1, 100), Seqs(chunk));
        Assert.Equal(a.Length + b.Length, chunk.ByteSize);
        Assert.Equal(GzipMembers.Compress(a).Length + GzipMembers.Compress(b).Length, chunk.StoredBytes);
        Assert.Equal(chunk.StoredBytes, store.TotalBytes);
        Assert.True(store.TotalBytes < a.Length + b.Length);
    }

    [Fact]
    public void TotalBytesFollowsAppendsAndPurges()
    {
        using var store = new MemoryChunkStore();
        var first = store.Create(Tag("a"), false);
        var second = store.Create(Tag("b"), false);
        first.Append(Entries(1, 10), 10);
        second.Append(Entries(1, 20), 20);
        Assert.Equal(first.ByteSize + second.ByteSize, store.TotalBytes);

        first.Purge();
        Assert.Equal(second.ByteSize, store.TotalBytes);
        first.Purge(); // twice is harmless
        Assert.Equal(second.ByteSize, store.TotalBytes);
        Assert.Throws<ObjectDisposedException>(() => first.ReadEntries());
    }

    [Fact]
    public void CreateQueuedHoldsTheEntriesAndTheRetryCount()
    {
        using var store = new MemoryChunkStore();
        var chunk = store.CreateQueued(Tag("app"), false, Entries(7, 4), 4, retryCount: 3);

        Assert.Equal(ChunkState.Queued, chunk.State);
        Assert.Equal(Range(7, 4), Seqs(chunk));
        Assert.Equal(3, chunk.RetryCount);
        chunk.RecordRetry();
        Assert.Equal(4, chunk.RetryCount);
    }

    [Fact]
    public void SequenceIncreasesAndResumeFindsNothing()
    {
        using var store = new MemoryChunkStore();
        var first = store.Create(Tag("app"), false);
        var second = store.Create(Tag("app"), false);

        Assert.True(second.Sequence > first.Sequence);
        Assert.NotEqual(first.UniqueId, second.UniqueId);
        Assert.Empty(store.Resume());
    }
}
