using System.Buffers.Binary;
using MessagePack;
using LogAgent.Core.Buffers;
using LogAgent.Sdk.Buffers;
using LogAgent.Tests.Support;
using static LogAgent.Tests.Buffers.ChunkTestData;

namespace LogAgent.Tests.Buffers;

public class FileChunkStoreTests
{
    [Fact]
    public void AppendedEntriesAreReadBackAndTheFilesAreNamedAsFluentdNamesThem()
    {
        using var dir = new TempDirectory();
        using var store = FileStore(dir);
        var chunk = (FileChunk)store.Create(Tag("app"), false);
        chunk.Append(Entries(1, 10), 10);
        chunk.Append(Entries(11, 10), 10);

        Assert.Equal(Range(1, 20), Seqs(chunk));
        Assert.Equal(Path.Combine(dir.Path, "buffer", $"buffer.b{chunk.UniqueId}.log"), chunk.LogPath);
        Assert.Equal(Entries(1, 10).Concat(Entries(11, 10)).ToArray(), File.ReadAllBytes(chunk.LogPath));
        Assert.Equal(chunk.ByteSize, store.TotalBytes);
    }

    [Fact]
    public void EnqueueRenamesBothFilesFromBToQ()
    {
        using var dir = new TempDirectory();
        using var store = FileStore(dir);
        var chunk = (FileChunk)store.Create(Tag("app"), false);
        chunk.Append(Entries(1, 5), 5);
        var staged = chunk.LogPath;
        chunk.Enqueue();

        Assert.Equal(ChunkState.Queued, chunk.State);
        Assert.Equal(staged.Replace(".b", ".q"), chunk.LogPath);
        Assert.False(File.Exists(staged));
        Assert.False(File.Exists(staged + ".meta"));
        Assert.True(File.Exists(chunk.MetaPath));
        Assert.Equal(Range(1, 5), Seqs(chunk));
        Assert.Throws<InvalidOperationException>(() => chunk.Append(Entries(6, 1), 1));
    }

    [Fact]
    public void PurgeDeletesBothFilesAndTheirBytes()
    {
        using var dir = new TempDirectory();
        using var store = FileStore(dir);
        var chunk = (FileChunk)store.Create(Tag("app"), false);
        chunk.Append(Entries(1, 5), 5);
        chunk.Enqueue();
        chunk.Purge();

        Assert.False(File.Exists(chunk.LogPath));
        Assert.False(File.Exists(chunk.MetaPath));
        Assert.Equal(0, store.TotalBytes);
    }

    [Fact]
    public void MetaIsFluentdsHeaderLengthAndMapWithTheRecordCount()
    {
        using var dir = new TempDirectory();
        using var store = FileStore(dir);
        var chunk = (FileChunk)store.Create(new ChunkMetadata("app.web", 1764147600, new Dictionary<string, string> { ["host"] = "h1" }), false);
        chunk.Append(Entries(1, 7), 7);

        var meta = File.ReadAllBytes(chunk.MetaPath);
        Assert.Equal(new byte[] { 0xc1, 0x00 }, meta[..2]);
        Assert.Equal(meta.Length - 6, (int)BinaryPrimitives.ReadUInt32BigEndian(meta.AsSpan(2)));
        var map = ReadMap(meta[6..]);
        Assert.Equal(new[] { "timekey", "tag", "variables", "seq", "id", "s", "c", "m" }, map.Keys);
        Assert.Equal(1764147600L, Convert.ToInt64(map["timekey"]));
        Assert.Equal("app.web", map["tag"]);
        Assert.Equal("h1", ((Dictionary<object, object?>)map["variables"]!)["host"]);
        Assert.Equal(Convert.FromHexString(chunk.UniqueId), (byte[])map["id"]!);
        Assert.Equal(7L, Convert.ToInt64(map["s"]));
        Assert.Equal(chunk.Sequence, Convert.ToInt64(map["seq"]));
    }

    [Fact]
    public void RetriesArePersistedUnderAnExtraKeyAndSurviveARestart()
    {
        using var dir = new TempDirectory();
        string id;
        using (var store = FileStore(dir))
        {
            var chunk = store.Create(Tag("app"), false);
            chunk.Append(Entries(1, 3), 3);
            chunk.Enqueue();
            chunk.RecordRetry();
            chunk.RecordRetry();
            id = chunk.UniqueId;
            var map = ReadMap(File.ReadAllBytes(((FileChunk)chunk).MetaPath)[6..]);
            Assert.Equal(2L, Convert.ToInt64(map[FileChunkMeta.RetriesKey]));
        }
        using var again = FileStore(dir);
        var resumed = Assert.Single(again.Resume());
        Assert.Equal(id, resumed.UniqueId);
        Assert.Equal(2, resumed.RetryCount);
    }

    [Fact]
    public void StagedAndQueuedChunksAreResumedWithTheirMetadataAndEntries()
    {
        using var dir = new TempDirectory();
        var logs = new CapturingLoggerProvider();
        string queuedId, stagedId;
        using (var store = FileStore(dir))
        {
            var queued = store.Create(new ChunkMetadata("app.a", 1764147600, null), false);
            queued.Append(Entries(1, 10), 10);
            queued.Enqueue();
            var staged = store.Create(new ChunkMetadata(null, null, null), entriesHaveTag: true);
            staged.Append(TaggedEntries("app.b", 11, 5), 5);
            (queuedId, stagedId) = (queued.UniqueId, staged.UniqueId);
        }
        using var again = FileStore(dir, logs);
        var chunks = again.Resume();

        Assert.Equal(new[] { queuedId, stagedId }, chunks.Select(c => c.UniqueId));
        Assert.Equal(ChunkState.Queued, chunks[0].State);
        Assert.Equal(new ChunkMetadata("app.a", 1764147600, null), chunks[0].Metadata);
        Assert.Equal(Range(1, 10), Seqs(chunks[0]));
        Assert.Equal(ChunkState.Staged, chunks[1].State);
        Assert.True(chunks[1].EntriesHaveTag);
        Assert.Equal(Range(11, 5), Seqs(chunks[1]));
        Assert.All(chunks[1].ToEventStreams(), s => Assert.Equal("app.b", s.Tag));
        Assert.Equal(chunks.Sum(c => c.ByteSize), again.TotalBytes);
        Assert.DoesNotContain(logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);

        // The resumed staged chunk takes appends where it left off.
        chunks[1].Append(TaggedEntries("app.b", 16, 2), 2);
        Assert.Equal(Range(11, 7), Seqs(chunks[1]));
        Assert.True(again.Create(Tag("x"), false).Sequence > chunks.Max(c => c.Sequence));
    }

    [Fact]
    public void GzipChunksAreConcatenatedMembersAndResume()
    {
        using var dir = new TempDirectory();
        byte[] a = Entries(1, 40), b = Entries(41, 40);
        using (var store = FileStore(dir, gzip: true))
        {
            var chunk = (FileChunk)store.Create(Tag("app"), false);
            chunk.Append(a, 40);
            chunk.Append(b, 40);
            Assert.Equal(GzipMembers.Compress(a).Length + GzipMembers.Compress(b).Length, new FileInfo(chunk.LogPath).Length);
            Assert.Equal(GzipMembers.Decompress(File.ReadAllBytes(chunk.LogPath)), a.Concat(b).ToArray());
            Assert.Equal(Range(1, 80), Seqs(chunk));
        }
        using var again = FileStore(dir, gzip: true);
        var resumed = Assert.Single(again.Resume());
        Assert.Equal(Range(1, 80), Seqs(resumed));
        Assert.Equal(a.Length + b.Length, resumed.ByteSize);
    }

    [Fact]
    public void CreateQueuedWritesAQueuedChunkDirectly()
    {
        using var dir = new TempDirectory();
        using var store = FileStore(dir);
        var chunk = (FileChunk)store.CreateQueued(Tag("app"), false, Entries(5, 5), 5, retryCount: 4);

        Assert.Equal(ChunkState.Queued, chunk.State);
        Assert.Contains(".q" + chunk.UniqueId + ".log", chunk.LogPath);
        Assert.Equal(Range(5, 5), Seqs(chunk));
        Assert.Equal(4, chunk.RetryCount);
        Assert.Equal(chunk.ByteSize, store.TotalBytes);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(chunk.LogPath)!, "*.tmp"));
    }

    [Fact]
    public void EmptyStagedChunksAreDeletedAtShutdown()
    {
        using var dir = new TempDirectory();
        FileChunk chunk;
        using (var store = FileStore(dir)) chunk = (FileChunk)store.Create(Tag("app"), false);

        Assert.False(File.Exists(chunk.LogPath));
        Assert.False(File.Exists(chunk.MetaPath));
    }

    [Fact]
    public void ASecondStoreOnTheSamePathIsRefused()
    {
        using var dir = new TempDirectory();
        using (var first = FileStore(dir))
        {
            var e = Assert.Throws<IOException>(() => FileStore(dir));
            Assert.Contains(first.Path.Pattern, e.Message);
            Assert.Contains("another process", e.Message);
        }
        using var afterwards = FileStore(dir); // the lock goes with the first store
        Assert.Empty(afterwards.Resume());
    }

    private static Dictionary<string, object?> ReadMap(byte[] map) =>
        ((Dictionary<object, object?>)MessagePackSerializer.Deserialize<object>(map)!)
        .ToDictionary(kv => (string)kv.Key, kv => kv.Value);
}
