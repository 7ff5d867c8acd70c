using System.Buffers;
using MessagePack;

namespace LogAgent.Sdk.Events;

/// <summary>Appends <c>[time, record]</c> entries as msgpack and produces an <see cref="EventStream"/>.</summary>
public sealed class EventStreamBuilder
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public EventStreamBuilder(string tag, int initialCapacity = 1024)
    {
        Tag = tag;
        _buffer = new ArrayBufferWriter<byte>(initialCapacity);
    }

    public string Tag { get; }
    public int Count { get; private set; }
    public int ByteCount => _buffer.WrittenCount;

    public void Add(EventTime time, Record record)
    {
        var writer = new MessagePackWriter(_buffer);
        writer.WriteArrayHeader(2);
        time.WriteTo(ref writer);
        RecordCodec.WriteValue(ref writer, record);
        writer.Flush();
        Count++;
    }

    /// <summary>Adds an entry whose record is already msgpack (a map), copying the bytes as they are.</summary>
    public void AddRaw(EventTime time, ReadOnlySpan<byte> recordMsgpack)
    {
        var writer = new MessagePackWriter(_buffer);
        writer.WriteArrayHeader(2);
        time.WriteTo(ref writer);
        writer.WriteRaw(recordMsgpack);
        writer.Flush();
        Count++;
    }

    /// <summary>Gives direct access for inputs that encode records themselves (e.g. a tailed line).</summary>
    public MessagePackWriter BeginEntry(EventTime time)
    {
        var writer = new MessagePackWriter(_buffer);
        writer.WriteArrayHeader(2);
        time.WriteTo(ref writer);
        return writer;
    }

    /// <summary>Completes an entry started with <see cref="BeginEntry"/>.</summary>
    public void EndEntry(ref MessagePackWriter writer)
    {
        writer.Flush();
        Count++;
    }

    public EventStream Build() => new(Tag, _buffer.WrittenMemory.ToArray(), Count);
}
