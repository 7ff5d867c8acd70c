using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using LogAgent.Core.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Benchmarks;

/// <summary>
/// The path an emit takes into a buffered output: <c>OutputBuffer.Write</c> of event streams (single events as
/// an app's fluent-logger sends them, or batches of 100 as forwarders and tail do) of ~200-byte access-log records,
/// chunk_limit_size 8m, memory versus file. One operation writes 10,000 events; full chunks are purged as a
/// flush would, so memory stays bounded.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class BufferWriteBenchmark
{
    private const int EventsPerOperation = 10_000;

    [Params("memory", "file")]
    public string Store { get; set; } = "memory";

    [Params(1, 100)]
    public int EventsPerStream { get; set; }

    private OutputBuffer _buffer = null!;
    private EventStream[] _streams = null!;
    private string? _directory;

    [GlobalSetup]
    public void Setup()
    {
        var entry = BufferAppendBenchmark.AccessLogEntry();
        var entries = Enumerable.Repeat(entry, EventsPerStream).SelectMany(e => e).ToArray();
        _streams = Enumerable.Range(0, EventsPerOperation / EventsPerStream)
            .Select(_ => new EventStream("nginx.access", entries, EventsPerStream)).ToArray();
        var config = new BufferConfig { Type = Store, ChunkLimitSize = 8 << 20, TotalLimitSize = 1L << 40 };
        var keys = ChunkKeys.Parse("tag", config, new ConfigSection("buffer", "tag", "bench", 0));
        _directory = Store == "file" ? Path.Combine(Path.GetTempPath(), "logagent-bench-write-" + Guid.NewGuid().ToString("N")[..8]) : null;
        _buffer = new OutputBuffer(config, keys,
            () => _directory is null ? new MemoryChunkStore() : new FileChunkStore(_directory, null, "bench", false, false, NullLogger.Instance),
            NullLogger.Instance, TimeProvider.System, (_, _, _, e) => throw e);
        _buffer.Resume();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffer.Dispose();
        if (_directory is not null) Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public int WriteTenThousandEvents()
    {
        foreach (var stream in _streams) _buffer.Write(stream);
        while (_buffer.Dequeue() is { } chunk) _buffer.Purge(chunk);
        return _buffer.QueueLength;
    }

    private sealed class Columns : ManualConfig
    {
        public Columns()
        {
            AddColumn(new ThroughputColumn(_ => (long)EventsPerOperation * BufferAppendBenchmark.AccessLogEntry().Length));
            AddColumn(new EventRateColumn(EventsPerOperation));
        }
    }
}
