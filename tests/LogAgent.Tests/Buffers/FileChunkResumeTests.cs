using LogAgent.Core.Buffers;
using LogAgent.Sdk.Buffers;
using LogAgent.Tests.Support;
using Microsoft.Extensions.Logging;
using static LogAgent.Tests.Buffers.ChunkTestData;

namespace LogAgent.Tests.Buffers;

/// <summary>
/// Resuming what a previous run left: the buffer directory fluentd 1.15.3 left in the shared corpus
/// (corpus/forward/fd-filebuffer, described by fd-filebuffer.json), and the leftovers of crashes at awkward moments.
/// </summary>
public class FileChunkResumeTests
{
    internal static string CopyCorpusBuffer(TempDirectory dir)
    {
        var target = dir.Sub("buffer");
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.SharedCorpus, "forward", "fd-filebuffer")))
        {
            var copy = Path.Combine(target, Path.GetFileName(file));
            File.Copy(file, copy);
            // The corpus is read-only; the copies must be writable as a live buffer is.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        return target;
    }

    [Fact]
    public void FluentdsBufferDirectoryResumesWithItsChunksInOrder()
    {
        using var dir = new TempDirectory();
        CopyCorpusBuffer(dir);
        var logs = new CapturingLoggerProvider();
        using var store = FileStore(dir, logs);

        var chunks = store.Resume();

        Assert.Equal(new[] { "660ebdef15828c437b6207117955d4cb", "660ebdef15c3ad8caa66f2ab2a91bf31", "660ebdef15d10d75f176675cc3994dec", "660ebdef15dc986ec911e7d6420beac8" },
            chunks.Select(c => c.UniqueId));
        Assert.Equal(new[] { ChunkState.Queued, ChunkState.Staged, ChunkState.Staged, ChunkState.Staged }, chunks.Select(c => c.State));
        Assert.Equal(new long[] { 0, 1, 2, 3 }, chunks.Select(c => c.Sequence));
        Assert.Equal(new[] { 30, 30, 30, 10 }, chunks.Select(c => c.RecordCount));
        Assert.All(chunks, c => Assert.Equal(new ChunkMetadata("corpus.fd.filebuf", null, null), c.Metadata));
        Assert.All(chunks, c => Assert.False(c.EntriesHaveTag));
        Assert.All(chunks, c => Assert.Equal(0, c.RetryCount));
        Assert.All(chunks, c => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1795416034), c.CreatedAt));
        Assert.Equal(new long[] { 7145, 7492, 7184, 2397 }, chunks.Select(c => c.ByteSize));
        Assert.Equal(7145 + 7492 + 7184 + 2397, store.TotalBytes);
        Assert.Equal(Range(1, 100), chunks.SelectMany(Seqs));
        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public void AResumedFluentdChunkKeepsGrowingAndResumesAgain()
    {
        using var dir = new TempDirectory();
        CopyCorpusBuffer(dir);
        using (var store = FileStore(dir))
        {
            var last = store.Resume()[^1];
            last.Append(Entries(101, 5), 5);
            Assert.Equal(15, last.RecordCount);
        }
        using var again = FileStore(dir);
        var chunks = again.Resume();
        Assert.Equal(Range(1, 105), chunks.SelectMany(Seqs));
        Assert.Equal(15, chunks[^1].RecordCount);
    }

    [Fact]
    public void ACrashBetweenEnqueueRenamesIsRepaired()
    {
        using var dir = new TempDirectory();
        string stagedLog;
        using (var store = FileStore(dir))
        {
            var chunk = (FileChunk)store.Create(Tag("app"), false);
            chunk.Append(Entries(1, 5), 5);
            stagedLog = chunk.LogPath;
        }
        // What Enqueue leaves if the process dies after renaming the data file and before renaming the meta.
        File.Move(stagedLog, stagedLog.Replace(".b", ".q"));
        var logs = new CapturingLoggerProvider();
        using var again = FileStore(dir, logs);

        var chunk2 = (FileChunk)Assert.Single(again.Resume());
        Assert.Equal(ChunkState.Queued, chunk2.State);
        Assert.Equal(Tag("app"), chunk2.Metadata);
        Assert.Equal(Range(1, 5), Seqs(chunk2));
        Assert.True(File.Exists(chunk2.MetaPath));
        Assert.False(File.Exists(stagedLog + ".meta"));
        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public void LeftoverTemporaryFilesAndOrphanMetasAreRemoved()
    {
        using var dir = new TempDirectory();
        var buffer = dir.Sub("buffer");
        string queuedLog;
        using (var store = FileStore(dir))
        {
            var kept = (FileChunk)store.Create(Tag("app"), false);
            kept.Append(Entries(1, 2), 2);
            var purged = (FileChunk)store.Create(Tag("app"), false);
            purged.Append(Entries(3, 2), 2);
            queuedLog = purged.LogPath;
            File.Delete(purged.LogPath); // a Purge that died between its two deletes
        }
        File.WriteAllBytes(Path.Combine(buffer, "buffer.q0123456789abcdef0123456789abcdef.log.tmp"), Entries(9, 1));
        using var again = FileStore(dir);

        var chunk = Assert.Single(again.Resume());
        Assert.Equal(Range(1, 2), Seqs(chunk));
        Assert.False(File.Exists(queuedLog + ".meta"));
        Assert.Empty(Directory.GetFiles(buffer, "*.tmp"));
    }
}
