using System.Buffers;
using BenchmarkDotNet.Attributes;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Benchmarks;

/// <summary>
/// One nginx access-log record to JSON, as the Kinesis outputs format every event: straight from its msgpack
/// (<see cref="RecordJson.TryWriteMsgpack"/>) against decoding it first and writing the record.
/// </summary>
[MemoryDiagnoser]
public class RecordJsonBenchmark
{
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private byte[] _msgpack = [];

    [GlobalSetup]
    public void Setup() => _msgpack = RecordCodec.Encode(new Record
    {
        ["remote"] = "203.0.113.7", ["host"] = "-", ["user"] = "-", ["method"] = "GET",
        ["path"] = "/api/v1/items?page=2&sort=desc", ["code"] = "200", ["size"] = "5316",
        ["referer"] = "https://example.com/search?q=\"logs\"", ["agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
        ["http_x_forwarded_for"] = "-",
    });

    [Benchmark(Baseline = true)]
    public int DecodeThenWrite()
    {
        _output.ResetWrittenCount();
        RecordJson.Write(_output, RecordCodec.Decode(_msgpack));
        return _output.WrittenCount;
    }

    [Benchmark]
    public int StraightFromMsgpack()
    {
        _output.ResetWrittenCount();
        RecordJson.TryWriteMsgpack(_output, _msgpack);
        return _output.WrittenCount;
    }
}
