using MessagePack;

namespace LogAgent.Sdk.Events;

/// <summary>
/// One tag and a run of msgpack-encoded <c>[time, record]</c> entries, concatenated: the same bytes a
/// PackedForward message carries. The router and pass-through outputs hand these bytes on without decoding.
/// </summary>
public sealed class EventStream
{
    public EventStream(string tag, ReadOnlyMemory<byte> entries, int count)
    {
        Tag = tag;
        Entries = entries;
        Count = count;
    }

    public string Tag { get; }

    /// <summary>Concatenated msgpack <c>[time, record]</c> arrays.</summary>
    public ReadOnlyMemory<byte> Entries { get; }

    public int Count { get; }

    public bool IsEmpty => Count == 0;

    /// <summary>The same entries under another tag, sharing the bytes.</summary>
    public EventStream WithTag(string tag) => new(tag, Entries, Count);

    public static EventStream Single(string tag, EventTime time, Record record)
    {
        var builder = new EventStreamBuilder(tag);
        builder.Add(time, record);
        return builder.Build();
    }

    public Enumerator GetEnumerator() => new(Entries);

    /// <summary>Walks the entries; each record is located by skipping, not decoding.</summary>
    public struct Enumerator
    {
        private readonly ReadOnlyMemory<byte> _entries;
        private int _offset;

        internal Enumerator(ReadOnlyMemory<byte> entries)
        {
            _entries = entries;
            _offset = 0;
            Current = default;
        }

        public EventEntry Current { get; private set; }

        public bool MoveNext()
        {
            if (_offset >= _entries.Length) return false;
            var rest = _entries[_offset..];
            var reader = new MessagePackReader(rest);
            int n = reader.ReadArrayHeader();
            if (n != 2) throw new MessagePackSerializationException($"an event entry must be [time, record], got an array of {n}");
            var time = EventTime.ReadFrom(ref reader);
            int recordStart = (int)reader.Consumed;
            reader.Skip();
            int recordEnd = (int)reader.Consumed;
            Current = new EventEntry(time, rest[recordStart..recordEnd]);
            _offset += recordEnd;
            return true;
        }
    }
}
