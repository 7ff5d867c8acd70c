using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using LogAgent.Core.Plugins.Parsers;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using MessagePack;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Inputs.Tail;

/// <summary>
/// Turns the lines of one file into a batch of events and emits it: in_tail's <c>convert_line_to_event</c> and
/// <c>parse_multilines</c>. With <c>&lt;parse&gt; @type none</c> a line goes from the read buffer straight into a msgpack
/// <c>{"message": line}</c> entry, without a string or a record; a parser that writes entries itself (nginx) gets the
/// line's bytes; other parsers build their record once and encode it. One instance serves the whole input (the reader thread is the only caller).
/// </summary>
public sealed class TailLineEmitter
{
    private readonly ParserPlugin _parser;
    private readonly IEntryWritingParser? _entryWriter;
    private readonly MultilineParser? _multiline;
    private readonly byte[]? _rawMessageKey;
    private readonly string? _pathKey;
    private readonly Encoding? _fromEncoding;
    private readonly Encoding _toEncoding;
    private readonly bool _emitUnmatchedLines;
    private readonly ILogger _log;
    private readonly ArrayBufferWriter<byte> _buffer = new(256 * 1024);
    private string _tag = "";
    private string _path = "";
    private byte[] _pathField = Array.Empty<byte>();
    private long _unmatched;

    public TailLineEmitter(ParserPlugin parser, string? pathKey, Encoding? fromEncoding, Encoding? toEncoding,
        bool emitUnmatchedLines, ILogger log)
    {
        _parser = parser;
        // A path_key field would have to go into the written map: those lines take the record path.
        _entryWriter = pathKey is null ? parser as IEntryWritingParser : null;
        _multiline = parser as MultilineParser is { HasFirstLine: true } m ? m : null;
        _pathKey = pathKey;
        _fromEncoding = fromEncoding;
        _toEncoding = toEncoding ?? Encoding.UTF8;
        _emitUnmatchedLines = emitUnmatchedLines;
        _log = log;
        // The bytes-only path: no parsing to do and no re-encoding of the text.
        if (parser is NoneParser none && fromEncoding is null && none.EstimateCurrentEvent)
            _rawMessageKey = MessagePackSerializer.Serialize(none.MessageKey);
    }

    /// <summary>Events in the current batch.</summary>
    public int Count { get; private set; }

    /// <summary>True when the line-to-event step is the bytes-only one (for tests and the benchmark).</summary>
    public bool IsRawPath => _rawMessageKey is not null;

    /// <summary>Starts a batch for the file at <paramref name="path"/>, emitted under <paramref name="tag"/>.</summary>
    public void Begin(string tag, string path)
    {
        _tag = tag;
        if (_pathKey is not null && path != _path)
        {
            var w = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(w);
            writer.Write(_pathKey);
            writer.Write(path);
            writer.Flush();
            _pathField = w.WrittenSpan.ToArray();
        }
        _path = path;
    }

    /// <summary>Adds one line (without its newline) that ends at file offset <paramref name="lineEnd"/>.</summary>
    public void AddLine(TailedFile file, ReadOnlySpan<byte> line, long lineStart, long lineEnd, EventTime now)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1]; // String#chomp
        if (_rawMessageKey is not null)
        {
            AddRaw(line, now);
            file.ConsumedOffset = lineEnd;
            return;
        }
        if (_entryWriter is not null && _multiline is null && _fromEncoding is null && TryWriteEntry(line))
        {
            file.ConsumedOffset = lineEnd;
            return;
        }
        var text = Decode(line);
        if (_multiline is null)
        {
            AddParsed(text, now);
            file.ConsumedOffset = lineEnd;
            return;
        }
        // parse_multilines: a first line closes the event before it; other lines join the open one.
        if (_multiline.IsFirstLine(text))
        {
            if (file.PendingEvent is not null) AddParsed(file.PendingEvent.ToString(), now);
            file.PendingEvent = new StringBuilder(text);
            file.PendingEventStart = lineStart;
        }
        else if (file.PendingEvent is not null)
        {
            file.PendingEvent.Append('\n').Append(text);
        }
        else
        {
            if (_emitUnmatchedLines) AddUnmatched(text, now);
            else _log.LogWarning("got incomplete line before first line from {Path}: {Line}", file.Path, Truncate(text));
        }
        file.PendingEventUpdatedAt = DateTimeOffset.UtcNow;
        file.ConsumedOffset = lineEnd;
    }

    /// <summary>Emits the open multiline event of <paramref name="file"/> (flush interval, rotation, shutdown).</summary>
    public void AddPendingEvent(TailedFile file, EventTime now)
    {
        if (file.PendingEvent is null) return;
        AddParsed(file.PendingEvent.ToString(), now);
        file.PendingEvent = null;
    }

    /// <summary>
    /// Emits the batch through <paramref name="router"/> and clears it. Throws what the router throws (a full buffer):
    /// the batch is then dropped here, and the caller rewinds the file to its committed offset to read it again.
    /// </summary>
    public void Emit(IEventRouter router)
    {
        if (Count == 0) return;
        var stream = new EventStream(_tag, _buffer.WrittenSpan.ToArray(), Count);
        Discard();
        router.Emit(stream);
    }

    /// <summary>Drops the batch without emitting it.</summary>
    public void Discard()
    {
        _buffer.ResetWrittenCount();
        Count = 0;
        // A batch of very long lines should not pin its buffer forever.
        if (_buffer.Capacity > 16 * 1024 * 1024) _buffer.Clear();
    }

    private void AddRaw(ReadOnlySpan<byte> line, EventTime now)
    {
        var span = _buffer.GetSpan(16 + _rawMessageKey!.Length + 5 + line.Length + _pathField.Length);
        span[0] = 0x92; // [time, record]
        span[1] = 0xd7; // fixext 8, type 0: EventTime
        span[2] = 0x00;
        BinaryPrimitives.WriteUInt32BigEndian(span[3..], now.Seconds);
        BinaryPrimitives.WriteUInt32BigEndian(span[7..], now.Nanoseconds);
        span[11] = _pathField.Length == 0 ? (byte)0x81 : (byte)0x82;
        var at = 12;
        _rawMessageKey.CopyTo(span[at..]);
        at += _rawMessageKey.Length;
        at += WriteStringHeader(span[at..], line.Length);
        line.CopyTo(span[at..]);
        at += line.Length;
        _pathField.CopyTo(span[at..]);
        at += _pathField.Length;
        _buffer.Advance(at);
        Count++;
    }

    private static int WriteStringHeader(Span<byte> span, int length)
    {
        if (length < 32) { span[0] = (byte)(0xa0 | length); return 1; }
        if (length < 256) { span[0] = 0xd9; span[1] = (byte)length; return 2; }
        if (length < 65536) { span[0] = 0xda; BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length); return 3; }
        span[0] = 0xdb;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)length);
        return 5;
    }

    private string Decode(ReadOnlySpan<byte> line)
    {
        if (_fromEncoding is null) return Encoding.UTF8.GetString(line); // invalid bytes become U+FFFD, never an error
        var text = _fromEncoding.GetString(line);
        // from_encoding → encoding: fluentd converts, replacing what the target cannot hold.
        return ReferenceEquals(_toEncoding, Encoding.UTF8) ? text : _toEncoding.GetString(_toEncoding.GetBytes(text));
    }

    private void AddParsed(string text, EventTime now)
    {
        bool parsed;
        EventTime? time;
        Record record;
        try
        {
            parsed = _parser.TryParse(text, out time, out record);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A line that breaks the parser is that line's problem: it must not stop the file (it would be read again forever).
            _log.LogWarning("invalid line found: {Line}: {Error}", Truncate(text), e.Message);
            return;
        }
        if (!parsed)
        {
            if (_emitUnmatchedLines) AddUnmatched(text, now);
            else if (_unmatched++ < 100 || _unmatched % 10_000 == 0)
                _log.LogWarning("pattern not matched ({Count} so far): {Line}", _unmatched, Truncate(text));
            return;
        }
        if (_pathKey is not null) record[_pathKey] = _path;
        Write(time ?? now, record);
    }

    // The line's entry written from its bytes by the parser, or false (nothing written) for the general path.
    private bool TryWriteEntry(ReadOnlySpan<byte> line)
    {
        var writer = new MessagePackWriter(_buffer);
        if (!_entryWriter!.TryWriteEntry(line, ref writer)) return false;
        writer.Flush();
        Count++;
        return true;
    }

    private void AddUnmatched(string text, EventTime now)
    {
        var record = new Record(2) { ["unmatched_line"] = text };
        if (_pathKey is not null) record[_pathKey] = _path;
        Write(now, record);
    }

    private void Write(EventTime time, Record record)
    {
        var writer = new MessagePackWriter(_buffer);
        writer.WriteArrayHeader(2);
        time.WriteTo(ref writer);
        RecordCodec.WriteValue(ref writer, record);
        writer.Flush();
        Count++;
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
