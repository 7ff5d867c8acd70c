using System.Text;
using MessagePack;
using LogAgent.Sdk.Events;

namespace LogAgent.Sdk.Buffers;

/// <summary>
/// A chunk of buffered events handed to <see cref="Plugins.BufferedOutputPlugin.WriteAsync"/>. Its entries are the
/// msgpack bytes as stored: <c>[time, record]</c> when <c>tag</c> is a chunk key (the tag is then
/// <see cref="ChunkMetadata.Tag"/>), otherwise <c>[tag, time, record]</c> — fluentd's standard chunk format, so the
/// bytes of a tag-keyed chunk are exactly a PackedForward message's entries.
/// </summary>
public abstract class BufferChunk
{
    /// <summary>16 random bytes as 32 hex digits, as fluentd names chunks (and out_forward's ack ids derive from).</summary>
    public abstract string UniqueId { get; }
    public abstract ChunkMetadata Metadata { get; }
    public abstract int RecordCount { get; }
    /// <summary>Bytes of entries (uncompressed).</summary>
    public abstract long ByteSize { get; }
    /// <summary>True when entries carry their own tag (tag is not a chunk key).</summary>
    public abstract bool EntriesHaveTag { get; }
    /// <summary>How many times writing this chunk has failed so far (kept per chunk, across restarts).</summary>
    public abstract int RetryCount { get; }
    public abstract DateTimeOffset CreatedAt { get; }

    /// <summary>The entries, decompressed, as stored.</summary>
    public abstract ReadOnlyMemory<byte> ReadEntries();

    /// <summary>
    /// Expands buffer placeholders in an output parameter for this chunk: <c>${tag}</c>, <c>${tag[N]}</c> (negative N
    /// counts from the end), <c>${KEY}</c> for record-key chunk keys, and strftime directives of the time slice.
    /// </summary>
    public abstract string Expand(string template);

    /// <summary>Walks the entries without decoding records; each entry's tag is the chunk's or its own.</summary>
    public Enumerator GetEnumerator() => new(ReadEntries(), EntriesHaveTag ? null : Metadata.Tag ?? "");

    /// <summary>The entries grouped into streams by tag, preserving order within each tag.</summary>
    public IReadOnlyList<EventStream> ToEventStreams()
    {
        if (!EntriesHaveTag)
            return new[] { new EventStream(Metadata.Tag ?? "", ReadEntries(), RecordCount) };
        var builders = new Dictionary<string, EventStreamBuilder>(StringComparer.Ordinal);
        foreach (var entry in this)
        {
            if (!builders.TryGetValue(entry.Tag, out var builder)) builders[entry.Tag] = builder = new EventStreamBuilder(entry.Tag);
            builder.AddRaw(entry.Time, entry.RecordBytes.Span);
        }
        return builders.Values.Select(b => b.Build()).ToList();
    }

    public ref struct Enumerator
    {
        private readonly ReadOnlyMemory<byte> _entries;
        private readonly string? _chunkTag;
        private MessagePackReader _reader;
        private string _lastTag;

        internal Enumerator(ReadOnlyMemory<byte> entries, string? chunkTag)
        {
            _entries = entries;
            _chunkTag = chunkTag;
            _reader = new MessagePackReader(entries);
            _lastTag = "";
            Current = default;
        }

        public ChunkEntry Current { get; private set; }

        public bool MoveNext()
        {
            if (_reader.End) return false;
            int n = _reader.ReadArrayHeader();
            string tag;
            if (_chunkTag is null)
            {
                if (n != 3) throw new MessagePackSerializationException($"a chunk entry must be [tag, time, record], got an array of {n}");
                // Consecutive entries usually share a tag: reuse the string instead of allocating one per entry.
                var raw = _reader.ReadStringSequence();
                if (raw is not { } seq) tag = "";
                else if (SameAs(seq, _lastTag)) tag = _lastTag;
                else tag = _lastTag = Encoding.UTF8.GetString(seq);
            }
            else
            {
                if (n != 2) throw new MessagePackSerializationException($"a chunk entry must be [time, record], got an array of {n}");
                tag = _chunkTag;
            }
            var time = EventTime.ReadFrom(ref _reader);
            int start = (int)_reader.Consumed;
            _reader.Skip();
            Current = new ChunkEntry(tag, time, _entries[start..(int)_reader.Consumed]);
            return true;
        }

        private static bool SameAs(System.Buffers.ReadOnlySequence<byte> utf8, string text)
        {
            if (utf8.Length != text.Length) return false; // ASCII tags only take this shortcut
            int i = 0;
            foreach (var segment in utf8)
                foreach (var b in segment.Span)
                    if (b != text[i++]) return false;
            return true;
        }
    }
}

/// <summary>One event of a chunk; the record stays msgpack.</summary>
public readonly record struct ChunkEntry(string Tag, EventTime Time, ReadOnlyMemory<byte> RecordBytes)
{
    public Record DecodeRecord() => RecordCodec.Decode(RecordBytes);
}
