using BenchmarkDotNet.Attributes;
using LogAgent.Sdk.Events;

namespace LogAgent.Benchmarks;

/// <summary>Encoding a typical nginx access-log record as a msgpack [time, record] entry, and walking a stream.</summary>
[MemoryDiagnoser]
public class AccessLogEncodingBenchmark
{
    private readonly Record _record = new()
    {
        ["remote"] = "203.0.113.7",
        ["host"] = "-",
        ["user"] = "-",
        ["method"] = "GET",
        ["path"] = "/api/v1/items?page=2",
        ["code"] = 200L,
        ["size"] = 5316L,
        ["referer"] = "https://example.com/",
        ["agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
    };

    private readonly EventTime _time = new(1764150000, 123456789);
    private EventStream _stream = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = new EventStreamBuilder("nginx.access");
        for (int i = 0; i < 1000; i++) builder.Add(_time, _record);
        _stream = builder.Build();
    }

    [Benchmark]
    public int EncodeOneEntry()
    {
        var builder = new EventStreamBuilder("nginx.access", 512);
        builder.Add(_time, _record);
        return builder.ByteCount;
    }

    [Benchmark]
    public int EncodeThousandEntries()
    {
        var builder = new EventStreamBuilder("nginx.access", 256 * 1024);
        for (int i = 0; i < 1000; i++) builder.Add(_time, _record);
        return builder.ByteCount;
    }

    /// <summary>What the router and pass-through outputs do: locate each record without decoding it.</summary>
    [Benchmark]
    public int WalkThousandEntriesWithoutDecoding()
    {
        int bytes = 0;
        foreach (var entry in _stream) bytes += entry.RecordBytes.Length;
        return bytes;
    }
}
