using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using LogAgent.Core.Buffers;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Benchmarks;

/// <summary>
/// Filling one 8 MiB chunk (memory's default chunk_limit_size) with ~200-byte nginx access-log entries, one entry or
/// a batch per Append, then enqueueing and purging it: the buffer's write path. One operation = one full chunk.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class BufferAppendBenchmark
{
    public const int ChunkLimit = 8 * 1024 * 1024;

    [Params("memory", "file", "file+gzip")]
    public string Store { get; set; } = "memory";

    [Params(1, 100)]
    public int EntriesPerAppend { get; set; }

    private IChunkStore _store = null!;
    private string? _directory;
    private byte[] _batch = null!;
    private readonly ChunkMetadata _metadata = new("nginx.access", null, null);

    [GlobalSetup]
    public void Setup()
    {
        var entry = AccessLogEntry();
        _batch = Enumerable.Repeat(entry, EntriesPerAppend).SelectMany(e => e).ToArray();
        if (Store == "memory") _store = new MemoryChunkStore();
        else
        {
            _directory = Path.Combine(Path.GetTempPath(), "logagent-bench-append-" + Guid.NewGuid().ToString("N")[..8]);
            _store = new FileChunkStore(_directory, null, "bench", Store == "file+gzip", fsync: false, NullLogger.Instance);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public long FillOneChunk()
    {
        var chunk = _store.Create(_metadata, entriesHaveTag: false);
        while (chunk.ByteSize + _batch.Length <= ChunkLimit) chunk.Append(_batch, EntriesPerAppend);
        long bytes = chunk.ByteSize;
        chunk.Enqueue();
        chunk.Purge();
        return bytes;
    }

    /// <summary>A typical access-log record as a [time, record] entry of about 200 bytes.</summary>
    internal static byte[] AccessLogEntry()
    {
        var builder = new EventStreamBuilder("nginx.access");
        builder.Add(new EventTime(1764150000, 123456789), new Record
        {
            ["remote"] = "203.0.113.7",
            ["method"] = "GET",
            ["path"] = "/api/v1/items?page=2&sort=desc",
            ["code"] = 200L,
            ["size"] = 5316L,
            ["referer"] = "https://example.com/",
            ["agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
        });
        return builder.Build().Entries.ToArray();
    }

    private sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new ThroughputColumn(b =>
        {
            // Whole batches that fit in one chunk, as FillOneChunk appends them.
            int perAppend = (int)b.Parameters["EntriesPerAppend"] * AccessLogEntry().Length;
            return ChunkLimit / perAppend * perAppend;
        }));
    }
}
