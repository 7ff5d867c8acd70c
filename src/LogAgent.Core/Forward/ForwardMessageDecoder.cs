using System.Buffers;
using System.Text;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;
using MessagePack;

namespace LogAgent.Core.Forward;

/// <summary>
/// Decodes the requests of one forward connection: cuts whole frames off a byte stream however TCP split it
/// (<see cref="TryCut"/>), then turns each into a <see cref="ForwardRequest"/> (<see cref="Decode"/>). All event modes of
/// Forward Protocol Specification v1 are read; records are never decoded, only located, and PackedForward entries
/// are passed on as the bytes that arrived unless an entry has to be normalised (time 0/nil, Fluent Bit's
/// <c>[[time, metadata], record]</c> form, nil records). One instance per connection: the first byte fixes the
/// connection's format, msgpack or JSON.
/// </summary>
public sealed class ForwardMessageDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ForwardDecoderOptions _options;
    private readonly ForwardFrameCutter _cutter;

    /// <param name="maxRequestBytes">A request announcing or reaching more bytes than this is refused while it is
    /// still arriving (<see cref="ForwardFrameCutter"/>).</param>
    public ForwardMessageDecoder(ForwardDecoderOptions options, long maxRequestBytes = long.MaxValue)
    {
        _options = options;
        _cutter = new ForwardFrameCutter(maxRequestBytes);
    }

    /// <summary>Null until the first byte arrived; then whether this connection speaks JSON.</summary>
    public bool? IsJson { get; private set; }

    /// <summary>Takes one whole request off the front of the buffer; false when more bytes are needed.</summary>
    public bool TryCut(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.IsEmpty) return false;
        IsJson ??= ForwardFraming.StartsJson(buffer.FirstSpan[0]);
        return IsJson.Value ? _cutter.TryCutJson(ref buffer, out frame) : _cutter.TryCutMessagePack(ref buffer, out frame);
    }

    /// <summary>
    /// Decodes one frame cut by <see cref="TryCut"/>. Returns null for a msgpack nil, which fluentd's in_forward reads
    /// as a no-op (kept for a "future TCP heartbeat"; corpus README, checklist 4: no reply, connection kept).
    /// Throws <see cref="ForwardProtocolException"/> when the frame is not a forward request.
    /// </summary>
    public ForwardRequest? Decode(ReadOnlySequence<byte> frame)
    {
        if (IsJson == true) frame = new ReadOnlySequence<byte>(JsonToMessagePack(frame));
        try
        {
            var reader = new MessagePackReader(frame);
            return DecodeRequest(ref reader, frame);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            throw new ForwardProtocolException($"malformed msgpack: {e.Message}", e);
        }
    }

    private ForwardRequest? DecodeRequest(ref MessagePackReader reader, ReadOnlySequence<byte> frame)
    {
        if (reader.TryReadNil()) return null;
        if (reader.NextMessagePackType != MessagePackType.Array)
            throw new ForwardProtocolException($"a request must be an array [tag, ...], got {Describe(reader.NextMessagePackType)}");
        int length = reader.ReadArrayHeader();
        if (length is < 2 or > 4)
            throw new ForwardProtocolException($"a request must be an array of 2 to 4 elements, got {length}");
        if (reader.NextMessagePackType != MessagePackType.String)
            throw new ForwardProtocolException($"the tag must be a string, got {Describe(reader.NextMessagePackType)}");
        var tagBytes = reader.ReadStringSequence()!.Value;
        string? tag = TryUtf8(tagBytes);

        var request = reader.NextMessagePackType switch
        {
            MessagePackType.Array => DecodeForward(ref reader, frame, tag ?? "", length),
            MessagePackType.Binary or MessagePackType.String => DecodePacked(ref reader, tag ?? "", length),
            _ => DecodeMessage(ref reader, frame, tag ?? "", length),
        };
        if (tag is null)
        {
            // in_forward.rb on_message: "Input tag is invalid UTF-8 string. Skip this chunk." — no emit, no ack.
            return new ForwardRequest
            {
                Mode = request.Mode, Tag = Encoding.UTF8.GetString(tagBytes), Events = new EventStream("", ReadOnlyMemory<byte>.Empty, 0),
                DropReason = "the tag is not valid UTF-8",
            };
        }
        return request;
    }

    // Forward mode: [tag, [[time, record], ...](, option)]. Entries are rebuilt (time 0 → now, nil records dropped),
    // each record copied as the bytes that arrived.
    private ForwardRequest DecodeForward(ref MessagePackReader reader, ReadOnlySequence<byte> frame, string tag, int length)
    {
        int count = reader.ReadArrayHeader();
        var builder = new EventStreamBuilder(tag, (int)Math.Min(frame.Length, int.MaxValue / 2));
        var skipped = new SkipTally();
        EventTime? now = null;
        for (int i = 0; i < count; i++)
        {
            var status = ReadEntry(ref reader, frame, ref now, out var time, out var record, out var reason);
            if (status == EntryStatus.Invalid) skipped.Add(reason!, _options.SkipInvalidEvent);
            else if (status != EntryStatus.NilRecord) AddRaw(builder, time, record);
        }
        var options = length >= 3 ? ReadOptions(ref reader) : default;
        SkipRest(ref reader, length, 3);
        return new ForwardRequest
        {
            Mode = ForwardMode.Forward, Tag = tag, Events = builder.Build(), Chunk = options.Chunk, Size = options.Size,
            SkippedEvents = skipped.Count, SkipReason = skipped.FirstReason,
        };
    }

    // PackedForward / CompressedPackedForward: [tag, bin|str entries(, option)]. fluentd's out_forward sends the entries
    // as str32 although they are not UTF-8 (corpus README, checklist 1), so a str is read as raw bytes.
    private ForwardRequest DecodePacked(ref MessagePackReader reader, string tag, int length)
    {
        var raw = reader.NextMessagePackType == MessagePackType.Binary ? reader.ReadBytes()!.Value : reader.ReadStringSequence()!.Value;
        var options = length >= 3 ? ReadOptions(ref reader) : default;
        SkipRest(ref reader, length, 3);

        // "text" (what fluentd's out_forward sends uncompressed) and no option both mean plain entries; "zstd" is
        // fluentd 1.17's second compression.
        byte[] entries = options.Compressed switch
        {
            null or "text" => CopyOf(raw),
            "gzip" => GzipMembers.Decompress(raw, _options.MaxDecompressedBytes),
            "zstd" => ZstdFrames.Decompress(raw, _options.MaxDecompressedBytes),
            _ => throw new ForwardProtocolException($"unsupported compressed option '{options.Compressed}' (known: text, gzip, zstd)"),
        };
        bool compressed = options.Compressed is "gzip" or "zstd";
        var (events, skipped) = NormalisePacked(tag, entries);
        return new ForwardRequest
        {
            Mode = compressed ? ForwardMode.CompressedPackedForward : ForwardMode.PackedForward, Tag = tag, Events = events,
            Chunk = options.Chunk, Size = options.Size, SkippedEvents = skipped.Count, SkipReason = skipped.FirstReason,
        };
    }

    // The entries leave the socket's buffer, which is reused for the next read, in an array of their own: the stream
    // may outlive this request (outputs and filters are free to keep it). Not zeroed first, as it is overwritten whole.
    private static byte[] CopyOf(ReadOnlySequence<byte> raw)
    {
        var copy = GC.AllocateUninitializedArray<byte>(checked((int)raw.Length));
        raw.CopyTo(copy);
        return copy;
    }

    // The entries stay the bytes that arrived when every entry is a plain [time, record]; only otherwise is a new
    // stream built, so the common case costs one validating walk and no copy beyond taking the bytes off the socket.
    private (EventStream Events, SkipTally Skipped) NormalisePacked(string tag, byte[] entries)
    {
        int plainCount = PlainEntryScan.Count(entries);
        if (plainCount >= 0) return (new EventStream(tag, entries, plainCount), default);
        var source = new ReadOnlySequence<byte>(entries);
        var reader = new MessagePackReader(source);
        var skipped = new SkipTally();
        EventTime? now = null;
        int plain = 0;
        while (!reader.End)
        {
            var status = ReadEntry(ref reader, source, ref now, out _, out _, out var reason);
            if (status != EntryStatus.Plain)
            {
                if (status == EntryStatus.Invalid && !_options.SkipInvalidEvent) throw InvalidEvent(reason!);
                return (RebuildPacked(tag, source, ref skipped), skipped);
            }
            plain++;
        }
        return (new EventStream(tag, entries, plain), skipped);
    }

    private EventStream RebuildPacked(string tag, ReadOnlySequence<byte> source, ref SkipTally skipped)
    {
        var builder = new EventStreamBuilder(tag, (int)source.Length + 64);
        var reader = new MessagePackReader(source);
        EventTime? now = null;
        while (!reader.End)
        {
            var status = ReadEntry(ref reader, source, ref now, out var time, out var record, out var reason);
            if (status == EntryStatus.Invalid) skipped.Add(reason!, _options.SkipInvalidEvent);
            else if (status != EntryStatus.NilRecord) AddRaw(builder, time, record);
        }
        return builder.Build();
    }

    // Message mode: [tag, time, record(, option)].
    private ForwardRequest DecodeMessage(ref MessagePackReader reader, ReadOnlySequence<byte> frame, string tag, int length)
    {
        if (length < 3)
            throw new ForwardProtocolException($"the second element must be a time (Message), an array (Forward) or bin/str entries (PackedForward), got {Describe(reader.NextMessagePackType)}");
        EventTime? now = null;
        var builder = new EventStreamBuilder(tag, (int)Math.Min(frame.Length + 16, int.MaxValue / 2));
        var skipped = new SkipTally();
        bool nilRecord = false;
        if (!TryReadTime(ref reader, out var time, out var reason))
        {
            reader.Skip();
            skipped.Add(reason!, _options.SkipInvalidEvent);
        }
        else
        {
            var type = reader.NextMessagePackType;
            var start = reader.Position;
            reader.Skip();
            if (type == MessagePackType.Nil) nilRecord = true;
            else if (type != MessagePackType.Map) skipped.Add($"the record must be a map, got {Describe(type)}", _options.SkipInvalidEvent);
            else AddRaw(builder, time ?? (now ??= _options.Now()), frame.Slice(start, reader.Position));
        }
        var options = length == 4 ? ReadOptions(ref reader) : default;
        return new ForwardRequest
        {
            Mode = ForwardMode.Message, Tag = tag, Events = builder.Build(),
            // in_forward.rb on_message: `return if record.nil?` comes before the option is returned, so no ack.
            Chunk = nilRecord ? null : options.Chunk, Size = options.Size,
            SkippedEvents = skipped.Count, SkipReason = skipped.FirstReason,
        };
    }

    private enum EntryStatus { Plain, Normalised, NilRecord, Invalid }

    /// <summary>
    /// Reads one <c>[time, record]</c> entry. Plain: usable as the bytes stand. Normalised: the time had to change (0 or
    /// nil → now, Fluent Bit's <c>[time, metadata]</c> → time). NilRecord: fluentd skips it silently. Invalid: why.
    /// </summary>
    private EntryStatus ReadEntry(ref MessagePackReader reader, ReadOnlySequence<byte> source, ref EventTime? now,
        out EventTime time, out ReadOnlySequence<byte> record, out string? reason)
    {
        time = default;
        record = default;
        reason = null;
        if (reader.NextMessagePackType != MessagePackType.Array)
        {
            reason = $"an entry must be [time, record], got {Describe(reader.NextMessagePackType)}";
            reader.Skip();
            return EntryStatus.Invalid;
        }
        int n = reader.ReadArrayHeader();
        if (n != 2)
        {
            reason = $"an entry must be [time, record], got an array of {n}";
            for (int i = 0; i < n; i++) reader.Skip();
            return EntryStatus.Invalid;
        }
        bool plain = true;
        EventTime? t = null;
        if (reader.NextMessagePackType == MessagePackType.Array)
        {
            // Fluent Bit's Retain_Metadata_In_Forward_Mode: [[time, metadata], record] (corpus README, checklist 2).
            // LogAgent events carry no metadata, so only the time is kept.
            plain = false;
            int m = reader.ReadArrayHeader();
            bool ok = m >= 1 && TryReadTime(ref reader, out t, out reason);
            if (m >= 1 && !ok) reader.Skip();
            for (int i = 1; i < m; i++) reader.Skip();
            if (!ok)
            {
                reason ??= "an entry's [time, metadata] is empty";
                reader.Skip();
                return EntryStatus.Invalid;
            }
        }
        else if (!TryReadTime(ref reader, out t, out reason))
        {
            reader.Skip();
            reader.Skip();
            return EntryStatus.Invalid;
        }
        if (t is { } given) time = given;
        else
        {
            time = now ??= _options.Now();
            plain = false;
        }
        var type = reader.NextMessagePackType;
        var start = reader.Position;
        reader.Skip();
        if (type == MessagePackType.Nil) return EntryStatus.NilRecord;
        if (type != MessagePackType.Map)
        {
            reason = $"the record must be a map, got {Describe(type)}";
            return EntryStatus.Invalid;
        }
        record = source.Slice(start, reader.Position);
        return plain ? EntryStatus.Plain : EntryStatus.Normalised;
    }

    /// <summary>
    /// Reads a time: EventTime (ext 0, 8 bytes; fixext8 or ext8), an integer or a float of seconds. Null means "now":
    /// fluentd replaces nil and times whose integer part is 0 (in_forward.rb: <c>time.nil? || time.to_i == 0</c>).
    /// On false nothing was consumed.
    /// </summary>
    private static bool TryReadTime(ref MessagePackReader reader, out EventTime? time, out string? reason)
    {
        time = null;
        reason = null;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Nil:
                reader.ReadNil();
                return true;
            case MessagePackType.Integer:
                {
                    var peek = reader.CreatePeekReader();
                    bool inRange = reader.NextCode == MessagePackCode.UInt64
                        ? peek.ReadUInt64() <= uint.MaxValue
                        : peek.ReadInt64() is >= 0 and <= uint.MaxValue;
                    if (!inRange)
                    {
                        reason = "the time is an integer outside 0..2^32-1";
                        return false;
                    }
                    long seconds = reader.ReadInt64();
                    if (seconds != 0) time = new EventTime((uint)seconds, 0);
                    return true;
                }
            case MessagePackType.Extension:
                {
                    var header = reader.CreatePeekReader().ReadExtensionFormatHeader();
                    if (header.TypeCode != EventTime.ExtType || header.Length != 8)
                    {
                        reason = $"the time is ext type {header.TypeCode} of {header.Length} bytes, not EventTime (ext 0 of 8 bytes)";
                        return false;
                    }
                    var t = EventTime.ReadFrom(ref reader);
                    if (t.Seconds != 0) time = t;
                    return true;
                }
            case MessagePackType.Float:
                {
                    double seconds = reader.CreatePeekReader().ReadDouble();
                    if (!(seconds >= 0 && seconds < 4294967296.0))
                    {
                        reason = "the time is a float outside 0..2^32";
                        return false;
                    }
                    reader.ReadDouble();
                    if (seconds >= 1) time = EventTime.FromUnixSeconds(seconds);
                    return true;
                }
            default:
                reason = $"the time must be an integer or EventTime, got {Describe(reader.NextMessagePackType)}";
                return false;
        }
    }

    private readonly record struct RequestOptions(AckChunk? Chunk, long? Size, string? Compressed);

    // The option map (spec "Option"): size, chunk and compressed matter here; other keys are skipped. Among them
    // Fluent Bit's fluent_signal (0 logs, 1 metrics, 2 traces; corpus README, checklist 2), accepted and ignored
    // as fluentd's in_forward does, and npm fluent-logger's eventEntryDataSize.
    private static RequestOptions ReadOptions(ref MessagePackReader reader)
    {
        if (reader.TryReadNil()) return default;
        if (reader.NextMessagePackType != MessagePackType.Map)
            throw new ForwardProtocolException($"the option must be a map, got {Describe(reader.NextMessagePackType)}");
        int pairs = reader.ReadMapHeader();
        AckChunk? chunk = null;
        long? size = null;
        string? compressed = null;
        for (int i = 0; i < pairs; i++)
        {
            if (reader.NextMessagePackType != MessagePackType.String)
            {
                reader.Skip();
                reader.Skip();
                continue;
            }
            var key = reader.ReadString();
            var type = reader.NextMessagePackType;
            switch (key)
            {
                case "chunk" when type == MessagePackType.String:
                    chunk = new AckChunk(reader.ReadStringSequence()!.Value.ToArray(), IsBinary: false);
                    break;
                case "chunk" when type == MessagePackType.Binary:
                    chunk = new AckChunk(reader.ReadBytes()!.Value.ToArray(), IsBinary: true);
                    break;
                case "size" when type == MessagePackType.Integer && reader.NextCode != MessagePackCode.UInt64:
                    size = reader.ReadInt64();
                    break;
                case "compressed" when type == MessagePackType.String:
                    compressed = reader.ReadString();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return new RequestOptions(chunk, size, compressed);
    }

    private static void SkipRest(ref MessagePackReader reader, int length, int read)
    {
        for (int i = read; i < length; i++) reader.Skip();
    }

    private static void AddRaw(EventStreamBuilder builder, EventTime time, ReadOnlySequence<byte> record)
    {
        if (record.IsSingleSegment) builder.AddRaw(time, record.FirstSpan);
        else builder.AddRaw(time, record.ToArray());
    }

    private static string? TryUtf8(ReadOnlySequence<byte> bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static string Describe(MessagePackType type) => type.ToString().ToLowerInvariant();

    /// <summary>
    /// A JSON request (<c>[tag, time, record(, option)]</c> or the Forward form) as msgpack, so one decoder reads both.
    /// JSON has no bin or ext, so only Message and Forward requests can be JSON.
    /// </summary>
    private static byte[] JsonToMessagePack(ReadOnlySequence<byte> json)
    {
        object? value;
        try
        {
            value = RecordJson.Parse(Encoding.UTF8.GetString(json));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ForwardProtocolException($"invalid JSON: {e.Message}", e);
        }
        var buffer = new ArrayBufferWriter<byte>((int)json.Length + 16);
        var writer = new MessagePackWriter(buffer);
        RecordCodec.WriteValue(ref writer, value);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static ForwardProtocolException InvalidEvent(string reason) =>
        new($"invalid event: {reason} (skip_invalid_event drops such events instead)");

    /// <summary>Counts skipped entries; when skipping is off the first invalid entry makes the request malformed.</summary>
    private struct SkipTally
    {
        public int Count;
        public string? FirstReason;

        public void Add(string reason, bool skipInvalid)
        {
            if (!skipInvalid) throw InvalidEvent(reason);
            Count++;
            FirstReason ??= reason;
        }
    }
}
