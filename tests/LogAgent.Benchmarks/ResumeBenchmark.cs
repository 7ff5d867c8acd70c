using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using LogAgent.Core.Buffers;
using LogAgent.Sdk.Buffers;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Benchmarks;

/// <summary>
/// Starting on a buffer directory full of queued 8 MiB file chunks: Resume reads and validates every entry of every
/// chunk. The files are in the page cache after setup, so this measures parsing, not the disk. The size is
/// LOGAGENT_RESUME_MIB (default 1024, i.e. ~1 GiB); e.g. LOGAGENT_RESUME_MIB=64 for a quick run.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
[Config(typeof(Columns))]
public class ResumeBenchmark
{
    private const int ChunkBytes = 8 * 1024 * 1024;

    public static IEnumerable<int> Sizes() =>
        [int.TryParse(Environment.GetEnvironmentVariable("LOGAGENT_RESUME_MIB"), out var mib) && mib > 0 ? mib : 1024];

    [ParamsSource(nameof(Sizes))]
    public int SizeMiB { get; set; }

    private string _directory = "";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "logagent-bench-resume-" + Guid.NewGuid().ToString("N")[..8]);
        var entry = BufferAppendBenchmark.AccessLogEntry();
        var batch = Enumerable.Repeat(entry, 1000).SelectMany(e => e).ToArray();
        using var store = new FileChunkStore(_directory, null, "bench", false, false, NullLogger.Instance);
        var metadata = new ChunkMetadata("nginx.access", null, null);
        for (long written = 0; written < (long)SizeMiB * 1024 * 1024;)
        {
            var chunk = store.Create(metadata, false);
            while (chunk.ByteSize + batch.Length <= ChunkBytes) chunk.Append(batch, 1000);
            chunk.Enqueue();
            written += chunk.ByteSize;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public int Resume()
    {
        using var store = new FileChunkStore(_directory, null, "bench", false, false, NullLogger.Instance);
        return store.Resume().Count;
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new ThroughputColumn(b => (int)b.Parameters["SizeMiB"] * 1024.0 * 1024.0));
    }
}
