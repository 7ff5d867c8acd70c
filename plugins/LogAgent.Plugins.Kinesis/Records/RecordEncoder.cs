using System.Buffers;
using System.IO.Compression;
using System.Text;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Plugins.Kinesis.Records;

/// <summary>
/// Turns one event into the bytes of a Kinesis / Firehose record, as fluent-plugin-kinesis's data formatter
/// (kinesis.rb, data_formatter_create): with <c>data_key</c> the value of that key as text, else the record (with
/// &lt;inject&gt; keys added) through the &lt;format&gt; formatter with its trailing newline removed; then, with
/// <c>chomp_record</c>, one trailing newline less; then <c>compression</c> (zlib deflate or gzip).
/// </summary>
public sealed class RecordEncoder
{
    private readonly FormatterPlugin _formatter;
    private readonly string? _dataKey;
    private readonly bool _chompRecord;
    private readonly string? _compression;
    private readonly InjectSection? _inject;
    private readonly string _hostname;

    public RecordEncoder(FormatterPlugin formatter, string? dataKey, bool chompRecord, string? compression, InjectSection? inject, string hostname)
    {
        _formatter = formatter;
        _dataKey = dataKey;
        _chompRecord = chompRecord;
        _compression = compression;
        _inject = inject is { IsEmpty: false } ? inject : null;
        _hostname = hostname;
    }

    /// <summary>The record's data, or a <see cref="SkippedRecordException"/> when it cannot become one.</summary>
    [ThreadStatic] private static ArrayBufferWriter<byte>? _scratch;

    /// <summary>
    /// Encodes an event from its msgpack record: formatted straight from the bytes when the formatter can
    /// (<see cref="FormatterPlugin.TryFormat"/>; no data_key, no inject), else decoded once into
    /// <paramref name="record"/> (kept for the caller, e.g. to read the partition key).
    /// </summary>
    public byte[] Encode(string tag, EventTime time, ReadOnlyMemory<byte> recordMsgpack, ref Record? record)
    {
        if (_dataKey is null && _inject is null && record is null)
        {
            var buffer = _scratch ??= new ArrayBufferWriter<byte>(1024);
            buffer.ResetWrittenCount();
            if (_formatter.TryFormat(tag, time, recordMsgpack, buffer))
            {
                var data = Chomp(buffer.WrittenSpan).ToArray();
                // A large record should not pin its buffer on this flush thread.
                if (buffer.Capacity > 1024 * 1024) _scratch = null;
                return Finish(data);
            }
        }
        record ??= RecordCodec.Decode(recordMsgpack);
        return Encode(tag, time, record);
    }

    public byte[] Encode(string tag, EventTime time, Record record)
    {
        byte[] data;
        if (_dataKey is not null)
        {
            if (!record.TryGetValue(_dataKey, out var value) || value is null)
                throw new SkippedRecordException($"Key '{_dataKey}' doesn't exist");
            data = value switch
            {
                byte[] bytes => bytes,
                string text => Encoding.UTF8.GetBytes(text),
                _ => Encoding.UTF8.GetBytes(RecordJson.Serialize(value)),
            };
        }
        else
        {
            _inject?.Apply(tag, time, record, _hostname);
            var buffer = new ArrayBufferWriter<byte>(256);
            _formatter.Format(tag, time, record, buffer);
            // kinesis.rb: formatter.format(...).chomp — the formatter's own line end is not part of the record.
            data = Chomp(buffer.WrittenSpan).ToArray();
        }
        return Finish(data);
    }

    private byte[] Finish(byte[] data)
    {
        if (_chompRecord) data = Chomp(data).ToArray();
        return _compression switch
        {
            "zlib" => Compress(data, s => new ZLibStream(s, CompressionLevel.Optimal)),
            "gzip" => Compress(data, s => new GZipStream(s, CompressionLevel.Optimal)),
            _ => data,
        };
    }

    /// <summary>Ruby's String#chomp: one trailing \r\n, \n or \r less.</summary>
    private static ReadOnlySpan<byte> Chomp(ReadOnlySpan<byte> data)
    {
        if (data.EndsWith("\r\n"u8)) return data[..^2];
        if (data.Length > 0 && data[^1] is (byte)'\n' or (byte)'\r') return data[..^1];
        return data;
    }

    private static byte[] Compress(byte[] data, Func<Stream, Stream> open)
    {
        using var output = new MemoryStream(data.Length / 2 + 32);
        using (var compressor = open(output)) compressor.Write(data);
        return output.ToArray();
    }
}

/// <summary>An event that cannot become a record (fluent-plugin-kinesis's SkipRecordError): it goes to @ERROR.</summary>
public sealed class SkippedRecordException(string message) : Exception(message);
