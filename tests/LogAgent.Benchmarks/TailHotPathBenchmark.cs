using System.Text;
using BenchmarkDotNet.Attributes;
using LogAgent.Core.Plugins.Inputs.Tail;
using LogAgent.Core.Plugins.Parsers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Benchmarks;

/// <summary>
/// The tail input's work per line once the bytes are read: finding the newline and turning the line into a msgpack
/// entry, in batches of 1,000 emitted to a router that drops them — with <c>&lt;parse&gt; @type none</c> (the bytes-only
/// path) and with the <c>nginx</c> parser (regex, time, record, encoding). Reported per line.
/// </summary>
[MemoryDiagnoser]
public class TailHotPathBenchmark
{
    private const int Lines = 10_000;
    private byte[] _buffer = null!;
    private TailLineEmitter _raw = null!;
    private TailLineEmitter _nginx = null!;
    private TailedFile _file = null!;
    private readonly DropRouter _router = new();
    private string[] _texts = null!;
    private Record[] _records = null!;
    private readonly EventTime _time = EventTime.Now;
    private NginxParser _parser = null!;
    private System.Text.RegularExpressions.Regex _regex = null!;

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder();
        string[] paths = ["/", "/api/v1/users?page=2", "/static/js/app.8d21e7.js", "/login", "/blog/2026/11/tail-every-line"];
        string[] agents =
        [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
            "curl/8.11.0",
        ];
        for (int i = 0; i < Lines; i++)
            text.Append($"{i % 223 + 1}.{i * 7 % 256}.{i * 13 % 256}.{i % 254 + 1} - - [26/Nov/2026:06:{i / 240 % 60:D2}:{i / 4 % 60:D2} +0000] ")
                .Append($"\"{(i % 5 == 0 ? "POST" : "GET")} {paths[i % paths.Length]} HTTP/1.1\" {(i % 9 == 0 ? 404 : 200)} {i * 7919 % 60000} ")
                .Append($"\"https://www.example.com/\" \"{agents[i % agents.Length]}\"\n");
        _buffer = Encoding.UTF8.GetBytes(text.ToString());
        _file = new TailedFile("/var/log/nginx/access.log", default, 0);
        _raw = new TailLineEmitter(Configured(new NoneParser()), null, null, null, false, NullLogger.Instance);
        _nginx = new TailLineEmitter(Configured(new NginxParser()), null, null, null, false, NullLogger.Instance);
        _texts = text.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        _parser = (NginxParser)Configured(new NginxParser());
        _regex = _parser.Regex;
        _records = _texts.Select(t => { _parser.TryParse(t, out _, out var r); return r; }).ToArray();
        if (!_raw.IsRawPath) throw new InvalidOperationException("the none parser should take the bytes-only path");
    }

    private static ParserPlugin Configured(ParserPlugin parser)
    {
        parser.Configure(new ConfigSection("parse", "", "benchmark", 0));
        return parser;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int RegexOnly()
    {
        int n = 0;
        foreach (var line in _texts) n += _regex.Match(line).Success ? 1 : 0;
        return n;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int NginxTryParseOnly()
    {
        int n = 0;
        foreach (var line in _texts) n += _parser.TryParse(line, out _, out var r) ? r.Count : 0;
        return n;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int DecodeOnly()
    {
        int n = 0;
        var span = _buffer.AsSpan();
        int start = 0;
        while (true)
        {
            var nl = span[start..].IndexOf((byte)'\n');
            if (nl < 0) break;
            n += Encoding.UTF8.GetString(span.Slice(start, nl)).Length;
            start += nl + 1;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int EncodeParsedRecordsOnly()
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>(1 << 20);
        for (int i = 0; i < _records.Length; i++)
        {
            if (i % 1000 == 0) output.ResetWrittenCount();
            var writer = new MessagePack.MessagePackWriter(output);
            writer.WriteArrayHeader(2);
            _time.WriteTo(ref writer);
            RecordCodec.WriteValue(ref writer, _records[i]);
            writer.Flush();
        }
        return output.WrittenCount;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int SplitAndEmitRaw() => Run(_raw);

    [Benchmark(OperationsPerInvoke = Lines)]
    public int SplitParseNginxAndEmit() => Run(_nginx);

    // As TailInput.ReadFile: one time per read, IndexOf for each newline, a batch emitted every 1,000 lines.
    private int Run(TailLineEmitter emitter)
    {
        var time = EventTime.Now;
        var span = _buffer.AsSpan();
        int start = 0, lines = 0;
        emitter.Begin("bench.access", _file.Path);
        while (true)
        {
            var nl = span[start..].IndexOf((byte)'\n');
            if (nl < 0) break;
            emitter.AddLine(_file, span.Slice(start, nl), start, start + nl + 1, time);
            start += nl + 1;
            if (++lines % 1000 == 0) emitter.Emit(_router);
        }
        emitter.Emit(_router);
        return _router.Events;
    }

    private sealed class DropRouter : IEventRouter
    {
        public int Events;
        public void Emit(EventStream stream) => Events += stream.Count;
    }
}
