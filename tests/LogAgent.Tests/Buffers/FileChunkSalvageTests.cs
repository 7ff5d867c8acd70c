using System.Buffers.Binary;
using MessagePack;
using LogAgent.Core.Buffers;
using LogAgent.Sdk.Buffers;
using LogAgent.Tests.Support;
using Microsoft.Extensions.Logging;
using static LogAgent.Tests.Buffers.ChunkTestData;

namespace LogAgent.Tests.Buffers;

/// <summary>
/// Damaged chunk files on start, made from fluentd's own buffer directory (corpus/forward/fd-filebuffer): each is kept
/// up to its last whole entry or set aside in the backup directory, the error says which file and how much was kept,
/// and the store keeps working.
/// </summary>
public sealed class FileChunkSalvageTests : IDisposable
{
    private const string QueuedId = "660ebdef15828c437b6207117955d4cb"; // seq 1..30
    private const string FirstStagedId = "660ebdef15c3ad8caa66f2ab2a91bf31"; // seq 31..60
    private const string LastStagedId = "660ebdef15dc986ec911e7d6420beac8"; // seq 91..100

    private readonly TempDirectory _dir = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly string _buffer;

    public FileChunkSalvageTests() => _buffer = FileChunkResumeTests.CopyCorpusBuffer(_dir);

    public void Dispose() => _dir.Dispose();

    private string Log(char state, string id) => Path.Combine(_buffer, $"buffer.{state}{id}.log");
    private string BackupOf(string id) => Path.Combine(_dir.Path, "root", "backup", "worker0", "out_test", id + ".log");
    private IEnumerable<string> Errors => _logs.Lines.Where(l => l.Level >= LogLevel.Error).Select(l => l.Message);

    [Fact]
    public void AChunkCutMidEntryKeepsItsWholeEntries()
    {
        var original = File.ReadAllBytes(Log('q', QueuedId));
        var ends = EntryEnds(original);
        int cut = ends[11] + 25; // inside the 13th entry
        File.WriteAllBytes(Log('q', QueuedId), original[..cut]);

        var chunks = Resume();

        var salvaged = chunks.Single(c => c.UniqueId == QueuedId);
        Assert.Equal(12, salvaged.RecordCount);
        Assert.Equal(Range(1, 12), Seqs(salvaged));
        Assert.Equal(ends[11], new FileInfo(Log('q', QueuedId)).Length);
        Assert.Equal(original[..cut], File.ReadAllBytes(BackupOf(QueuedId)));
        Assert.True(File.Exists(BackupOf(QueuedId) + ".meta"));
        var error = Assert.Single(Errors);
        Assert.Contains(Log('q', QueuedId), error);
        Assert.Contains("12 whole entries", error);
        Assert.Equal(Range(31, 70), chunks.Where(c => c.UniqueId != QueuedId).SelectMany(Seqs));
        AssertStoreStillWorks();
    }

    [Fact]
    public void GarbageAfterTheEntriesIsCutOffAndTheChunkStaysStaged()
    {
        var path = Log('b', FirstStagedId);
        var original = File.ReadAllBytes(path);
        File.WriteAllBytes(path, original.Concat(RandomBytes(300, seed: 1)).ToArray());

        var salvaged = Resume().Single(c => c.UniqueId == FirstStagedId);

        Assert.Equal(ChunkState.Staged, salvaged.State);
        Assert.Equal(Range(31, 30), Seqs(salvaged));
        Assert.Equal(original, File.ReadAllBytes(path));
        Assert.Equal(original.Length + 300, new FileInfo(BackupOf(FirstStagedId)).Length);
        Assert.Contains(Errors, e => e.Contains(path) && e.Contains("30 whole entries"));
        AssertStoreStillWorks();
    }

    [Fact]
    public void AChunkOfRandomBytesIsMovedToTheBackupDirectory()
    {
        var path = Log('b', LastStagedId);
        var garbage = RandomBytes(500, seed: 2);
        garbage[0] = 0xc1; // never valid msgpack: no entry can start here
        File.WriteAllBytes(path, garbage);

        var chunks = Resume();

        Assert.DoesNotContain(chunks, c => c.UniqueId == LastStagedId);
        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".meta"));
        Assert.Equal(garbage, File.ReadAllBytes(BackupOf(LastStagedId)));
        Assert.Contains(Errors, e => e.Contains(path) && e.Contains("no whole entry"));
        Assert.Equal(Range(1, 90), chunks.SelectMany(Seqs));
        AssertStoreStillWorks();
    }

    [Fact]
    public void AnEmptyMetaIsRebuiltFromTheDataAndTheChunkIsQueued()
    {
        File.WriteAllBytes(Log('b', FirstStagedId) + ".meta", []);

        var rebuilt = (FileChunk)Resume().Single(c => c.UniqueId == FirstStagedId);

        // Its chunk keys are lost with the meta, so it must not collect new events.
        Assert.Equal(ChunkState.Queued, rebuilt.State);
        Assert.Equal(Log('q', FirstStagedId), rebuilt.LogPath);
        Assert.False(File.Exists(Log('b', FirstStagedId)));
        Assert.Null(rebuilt.Metadata.Tag);
        Assert.Equal(30, rebuilt.RecordCount);
        Assert.Equal(Range(31, 30), Seqs(rebuilt));
        var error = Assert.Single(Errors);
        Assert.Contains(Log('b', FirstStagedId), error);
        Assert.Contains("empty", error);
        Assert.Contains("tag", error);
        AssertStoreStillWorks();
    }

    [Fact]
    public void AMetaWithAWrongLengthIsRebuilt()
    {
        var metaPath = Log('q', QueuedId) + ".meta";
        var meta = File.ReadAllBytes(metaPath);
        BinaryPrimitives.WriteUInt32BigEndian(meta.AsSpan(2), 200); // the file holds 86
        File.WriteAllBytes(metaPath, meta);

        var rebuilt = Resume().Single(c => c.UniqueId == QueuedId);

        Assert.Equal(30, rebuilt.RecordCount);
        Assert.Equal(Range(1, 30), Seqs(rebuilt));
        Assert.Contains(Errors, e => e.Contains(Log('q', QueuedId)) && e.Contains("200"));
        AssertStoreStillWorks();
    }

    [Fact]
    public void ALogWithoutMetaIsRebuilt()
    {
        File.Delete(Log('q', QueuedId) + ".meta");

        var rebuilt = (FileChunk)Resume().Single(c => c.UniqueId == QueuedId);

        Assert.Equal(ChunkState.Queued, rebuilt.State);
        Assert.Equal(Range(1, 30), Seqs(rebuilt));
        Assert.True(File.Exists(rebuilt.MetaPath));
        Assert.Contains(Errors, e => e.Contains(Log('q', QueuedId)) && e.Contains("no meta"));
        AssertStoreStillWorks();
    }

    [Fact]
    public void ATaggedChunkWithoutMetaKeepsEveryEntrysTagAndOnlyWarns()
    {
        string path;
        using (var store = new FileChunkStore(Path.Combine(_dir.Path, "tagged"), null, "out_test", false, false, _logs.CreateLogger("b")))
        {
            var chunk = (FileChunk)store.Create(ChunkMetadata.Empty, entriesHaveTag: true);
            chunk.Append(TaggedEntries("app.x", 1, 4), 4);
            path = chunk.LogPath;
        }
        File.Delete(path + ".meta");
        using var again = new FileChunkStore(Path.Combine(_dir.Path, "tagged"), null, "out_test", false, false, _logs.CreateLogger("b"));

        var rebuilt = Assert.Single(again.Resume());
        Assert.True(rebuilt.EntriesHaveTag);
        Assert.Equal("app.x", Assert.Single(rebuilt.ToEventStreams()).Tag);
        Assert.Empty(Errors);
        Assert.Contains(_logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains(path));
    }

    [Fact]
    public void ACutGzipChunkKeepsItsWholeMembersAndTheDecodableEntriesAfterThem()
    {
        var dir = Path.Combine(_dir.Path, "gz");
        string path;
        using (var store = new FileChunkStore(dir, Path.Combine(_dir.Path, "root"), "out_test", true, false, _logs.CreateLogger("b")))
        {
            var chunk = (FileChunk)store.Create(Tag("app"), false);
            chunk.Append(Entries(1, 40), 40);
            chunk.Append(Entries(41, 2000), 2000);
            path = chunk.LogPath;
        }
        var stored = File.ReadAllBytes(path);
        int firstMember = GzipMembers.Compress(Entries(1, 40)).Length;
        File.WriteAllBytes(path, stored[..(firstMember + (stored.Length - firstMember) / 2)]);

        using (var store = new FileChunkStore(dir, Path.Combine(_dir.Path, "root"), "out_test", true, false, _logs.CreateLogger("b")))
        {
            var salvaged = Assert.Single(store.Resume());
            var seqs = Seqs(salvaged);
            Assert.InRange(seqs.Count, 41, 2039); // the whole first member and part of the cut second one
            Assert.Equal(Range(1, seqs.Count), seqs);
            Assert.Contains(Errors, e => e.Contains(path) && e.Contains($"{seqs.Count} whole entries"));
            salvaged.Append(Entries(5000, 3), 3);
        }
        using var third = new FileChunkStore(dir, Path.Combine(_dir.Path, "root"), "out_test", true, false, _logs.CreateLogger("b"));
        var resumed = Assert.Single(third.Resume());
        Assert.Equal(new long[] { 5000, 5001, 5002 }, Seqs(resumed).TakeLast(3));
    }

    [Fact]
    public void AGzipChunkMissingItsLastTrailerIsRewrittenSoLaterMembersStillDecode()
    {
        // .NET's GZipStream accepts a member without its trailer; if the chunk were kept as it is, the next member
        // appended after it would be read as that trailer and the chunk would become unreadable.
        var dir = Path.Combine(_dir.Path, "gz");
        var root = Path.Combine(_dir.Path, "root");
        string path;
        using (var store = new FileChunkStore(dir, root, "out_test", true, false, _logs.CreateLogger("b")))
        {
            var chunk = (FileChunk)store.Create(Tag("app"), false);
            chunk.Append(Entries(1, 40), 40);
            chunk.Append(Entries(41, 40), 40);
            path = chunk.LogPath;
        }
        var stored = File.ReadAllBytes(path);
        File.WriteAllBytes(path, stored[..^4]); // the second member loses ISIZE

        using (var store = new FileChunkStore(dir, root, "out_test", true, false, _logs.CreateLogger("b")))
        {
            var salvaged = Assert.Single(store.Resume());
            Assert.Equal(Range(1, 80), Seqs(salvaged));
            Assert.Contains(Errors, e => e.Contains(path) && e.Contains("gzip"));
            salvaged.Append(Entries(81, 5), 5);
        }
        using var third = new FileChunkStore(dir, root, "out_test", true, false, _logs.CreateLogger("b"));
        Assert.Equal(Range(1, 85), Seqs(Assert.Single(third.Resume())));
    }

    private IReadOnlyList<StoredChunk> Resume()
    {
        using var store = FileStore(_dir, _logs);
        return store.Resume().ToList(); // chunks stay readable after the store closes their handles
    }

    /// <summary>After a salvage the directory is clean: a second start finds no damage, and new chunks work.</summary>
    private void AssertStoreStillWorks()
    {
        int errorsBefore = Errors.Count();
        using var store = FileStore(_dir, _logs);
        var chunks = store.Resume();
        Assert.Equal(errorsBefore, Errors.Count());
        Assert.NotEmpty(chunks);
        var fresh = store.Create(Tag("new"), false);
        fresh.Append(Entries(1, 3), 3);
        fresh.Enqueue();
        Assert.Equal(Range(1, 3), Seqs(fresh));
    }

    /// <summary>Where each top-level msgpack value ends, found independently of the store's own scanner.</summary>
    private static List<int> EntryEnds(byte[] data)
    {
        var ends = new List<int>();
        var reader = new MessagePackReader(data);
        while (!reader.End) { reader.Skip(); ends.Add((int)reader.Consumed); }
        return ends;
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var bytes = new byte[n];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
