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

    [ThreadStatic] private static ArrayBufferWriter<byte>? _scratch;

    /// <summary>
    /// Encodes an event from its msgpack record: formatted straight from the bytes when the formatter can
    /// (<see cref="FormatterPlugin.TryFormat"/>; no data_key, no inject), else decoded once into
    /// <paramref name="record"/> (kept for the caller, e.g. to read the partition key). Throws
    /// <see cref="SkippedRecordException"/> when the event cannot become a record.
    /// The data returned may be this thread's scratch buffer: valid until the next call on the thread, so the caller
    /// copies it (into its <see cref="RecordArena"/>) before anything else.
    /// </summary>
    public ReadOnlyMemory<byte> Encode(string tag, EventTime time, ReadOnlyMemory<byte> recordMsgpack, ref Record? record)
    {
        if (_dataKey is null && _inject is null)
        {
            var buffer = Scratch();
            if (_formatter.TryFormat(tag, time, recordMsgpack, buffer))
                // kinesis.rb: formatter.format(...).chomp — the formatter's own line end is not part of the record.
                return Finish(Chomp(buffer.WrittenMemory));
        }
        record ??= RecordCodec.Decode(recordMsgpack);
        return EncodeRecord(tag, time, record);
    }

    /// <summary>The record's data, or a <see cref="SkippedRecordException"/> when it cannot become one.</summary>
    public byte[] Encode(string tag, EventTime time, Record record) => EncodeRecord(tag, time, record).ToArray();

    private ReadOnlyMemory<byte> EncodeRecord(string tag, EventTime time, Record record)
    {
        if (_dataKey is not null)
        {
            if (!record.TryGetValue(_dataKey, out var value) || value is null)
                throw new SkippedRecordException($"Key '{_dataKey}' doesn't exist");
            return Finish(value switch
            {
                byte[] bytes => bytes,
                string text => Encoding.UTF8.GetBytes(text),
                _ => Encoding.UTF8.GetBytes(RecordJson.Serialize(value)),
            });
        }
        _inject?.Apply(tag, time, record, _hostname);
        var buffer = Scratch();
        _formatter.Format(tag, time, record, buffer);
        return Finish(Chomp(buffer.WrittenMemory));
    }

    /// <summary>This thread's formatting buffer, emptied. One that grew past 1 MiB for a large record is dropped
    /// after it (its data stays valid: the caller holds the dropped buffer's memory).</summary>
    private static ArrayBufferWriter<byte> Scratch()
    {
        if (_scratch is { Capacity: > 1024 * 1024 }) _scratch = null;
        var buffer = _scratch ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private ReadOnlyMemory<byte> Finish(ReadOnlyMemory<byte> data)
    {
        if (_chompRecord) data = Chomp(data);
        return _compression switch
        {
            "zlib" => Compress(data.Span, s => new ZLibStream(s, CompressionLevel.Optimal)),
            "gzip" => Compress(data.Span, s => new GZipStream(s, CompressionLevel.Optimal)),
            _ => data,
        };
    }

    /// <summary>Ruby's String#chomp: one trailing \r\n, \n or \r less.</summary>
    private static ReadOnlyMemory<byte> Chomp(ReadOnlyMemory<byte> data) => data[..^TrailingLineEnd(data.Span)];

    private static int TrailingLineEnd(ReadOnlySpan<byte> data) =>
        data.EndsWith("\r\n"u8) ? 2 : data.Length > 0 && data[^1] is (byte)'\n' or (byte)'\r' ? 1 : 0;

    private static byte[] Compress(ReadOnlySpan<byte> data, Func<Stream, Stream> open)
    {
        using var output = new MemoryStream(data.Length / 2 + 32);
        using (var compressor = open(output)) compressor.Write(data);
        return output.ToArray();
    }
}

/// <summary>An event that cannot become a record (fluent-plugin-kinesis's SkipRecordError): it goes to @ERROR.</summary>
public sealed class SkippedRecordException(string message) : Exception(message);
