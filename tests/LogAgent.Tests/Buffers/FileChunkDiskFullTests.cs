using LogAgent.Core.Buffers;
using LogAgent.Tests.Support;
using Microsoft.Extensions.Logging;
using static LogAgent.Tests.Buffers.ChunkTestData;

namespace LogAgent.Tests.Buffers;

/// <summary>The buffer directory on a 1 MiB tmpfs, filled through Append until the kernel says ENOSPC.</summary>
public class FileChunkDiskFullTests
{
    [TmpfsFact]
    public void AppendOnAFullDiskFailsCleanlyAndWorksAgainOnceSpaceIsFreed()
    {
        using var dir = new TempDirectory();
        var logs = new CapturingLoggerProvider();
        var root = Path.Combine(dir.Path, "root");
        using var disk = TmpfsMount.Mount(dir.Sub("disk"), "1m");
        var bufferPath = Path.Combine(disk.Path, "buffer");
        var filler = Path.Combine(disk.Path, "filler");
        File.WriteAllBytes(filler, new byte[256 * 1024]);
        const int batch = 50;

        int appended = 0;
        string logPath;
        using (var store = new FileChunkStore(bufferPath, root, "out_test", false, false, logs.CreateLogger("b")))
        {
            var chunk = (FileChunk)store.Create(Tag("app"), false);
            logPath = chunk.LogPath;
            IOException? full = null;
            while (full is null && appended < 100_000)
            {
                try
                {
                    chunk.Append(Entries(appended + 1, batch), batch);
                    appended += batch;
                }
                catch (IOException e) { full = e; }
            }

            Assert.NotNull(full);
            Assert.Contains(logPath, full.Message);
            Assert.Contains("truncated back", full.Message);
            Assert.True(appended > 0);
            Assert.Equal(chunk.StoredBytes, new FileInfo(logPath).Length);
            Assert.Equal(appended, chunk.RecordCount);
            Assert.Equal(Range(1, appended), Seqs(chunk));
            Assert.Equal(chunk.StoredBytes, store.TotalBytes);
        }

        using (var store = new FileChunkStore(bufferPath, root, "out_test", false, false, logs.CreateLogger("b")))
        {
            var resumed = Assert.Single(store.Resume());
            Assert.Equal(Range(1, appended), Seqs(resumed));
            Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Warning);

            File.Delete(filler);
            resumed.Append(Entries(appended + 1, batch), batch);
            resumed.Enqueue();
            Assert.Equal(Range(1, appended + batch), Seqs(resumed));
        }
    }
}
