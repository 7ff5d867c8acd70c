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

    /// <summary>
    /// Walks the entries with one msgpack reader over the whole run; each record is located by skipping, not
    /// decoding. A ref struct, so the reader lives on the stack and the walk allocates nothing.
    /// </summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlyMemory<byte> _entries;
        private MessagePackReader _reader;

        internal Enumerator(ReadOnlyMemory<byte> entries)
        {
            _entries = entries;
            _reader = new MessagePackReader(entries);
            Current = default;
        }

        public EventEntry Current { get; private set; }

        public bool MoveNext()
        {
            if (_reader.End) return false;
            int entryStart = (int)_reader.Consumed;
            int n = _reader.ReadArrayHeader();
            if (n != 2) throw new MessagePackSerializationException($"an event entry must be [time, record], got an array of {n}");
            var time = EventTime.ReadFrom(ref _reader);
            int recordStart = (int)_reader.Consumed;
            _reader.Skip();
            int end = (int)_reader.Consumed;
            Current = new EventEntry(time, _entries[recordStart..end], _entries[entryStart..end]);
            return true;
        }
    }
}
