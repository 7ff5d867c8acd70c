using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using MessagePack;

namespace LogAgent.Core.Forward;

/// <summary>
/// Cuts one connection's byte stream into whole requests, like <see cref="ForwardFraming"/>, but remembers how far an
/// incomplete request was already walked. A request arriving in many reads is then walked once in total instead of
/// once per read: without that, a sender trickling a large Forward-mode request one byte at a time (slow loris) makes
/// the server re-walk everything received so far for every byte, quadratic CPU for linear input.
/// It also refuses a request as soon as a length it announces (a bin/str/ext header) takes it past
/// <c>maxRequestBytes</c>, rather than waiting for bytes that would be refused anyway.
/// The buffer passed in must start where the previous call left it (the caller consumes only whole requests).
/// </summary>
public sealed class ForwardFrameCutter
{
    private readonly long _maxRequestBytes;
    // msgpack: values still to walk at each nesting level, and the bytes of the current request walked so far (always
    // at a value boundary, so the walk resumes there).
    private readonly long[] _pending = new long[ForwardFraming.MaxNesting + 1];
    private int _depth = -1;
    private long _walked;
    // JSON: the reader's state at the last whole token.
    private JsonReaderState _jsonState;
    private long _jsonWalked;

    public ForwardFrameCutter(long maxRequestBytes = long.MaxValue) => _maxRequestBytes = maxRequestBytes;

    /// <summary>Bytes of the current, incomplete request already walked (0 between requests).</summary>
    public long Walked => Math.Max(_walked, _jsonWalked);

    /// <summary>
    /// Takes one msgpack value off the front of <paramref name="buffer"/>. False when it is not complete yet; throws
    /// <see cref="ForwardProtocolException"/> when the bytes cannot be msgpack or announce more than the limit.
    /// </summary>
    public bool TryCutMessagePack(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (_depth < 0)
        {
            _depth = 0;
            _pending[0] = 1;
            _walked = 0;
        }
        long start = _walked;
        var reader = new MessagePackReader(buffer.Slice(start));
        try
        {
            while (_depth >= 0)
            {
                if (_pending[_depth] == 0)
                {
                    _depth--;
                    continue;
                }
                if (reader.End) return false;
                long children = 0;
                switch (reader.NextMessagePackType)
                {
                    case MessagePackType.Array:
                        if (!reader.TryReadArrayHeader(out int items)) return false;
                        children = items;
                        break;
                    case MessagePackType.Map:
                        if (!reader.TryReadMapHeader(out int pairs)) return false;
                        children = 2L * pairs;
                        break;
                    case MessagePackType.Unknown:
                        throw new ForwardProtocolException($"byte 0x{reader.NextCode:x2} is not a msgpack type");
                    default:
                        if (!TrySkipScalar(ref reader)) return false;
                        break;
                }
                _pending[_depth]--;
                _walked = start + reader.Consumed;
                if (children == 0) continue;
                if (_depth == ForwardFraming.MaxNesting) throw new ForwardProtocolException($"values nested deeper than {ForwardFraming.MaxNesting} levels");
                _pending[++_depth] = children;
            }
        }
        catch (MessagePackSerializationException e)
        {
            throw new ForwardProtocolException($"not msgpack: {e.Message}", e);
        }
        frame = buffer.Slice(0, _walked);
        buffer = buffer.Slice(_walked);
        _walked = 0;
        return true;
    }

    // A scalar, str, bin or ext. False (nothing consumed) when it has not fully arrived. The length of a str, bin or
    // ext is read from its header and checked against the limit first, so a header announcing 100 MiB neither waits
    // for them nor makes anyone allocate them.
    private bool TrySkipScalar(ref MessagePackReader reader)
    {
        var peek = reader.CreatePeekReader();
        long header = HeaderLength(reader.NextCode);
        if (header > 0)
        {
            if (Remaining(reader) < header) return false;
            Span<byte> head = stackalloc byte[6];
            var raw = peek.ReadRaw(header);
            raw.CopyTo(head);
            long length = BodyLength(head[..(int)header]);
            long end = _walked + header + length;
            if (end > _maxRequestBytes)
                throw new ForwardProtocolException($"a request is larger than {_maxRequestBytes} bytes (a value in it announces {length} bytes)");
            if (Remaining(reader) < header + length) return false;
            reader.ReadRaw(header + length);
            return true;
        }
        // Other scalars are at most 9 bytes; only a value cut at the very end of the buffer can be short.
        if (Remaining(reader) >= 9)
        {
            reader.Skip();
            return true;
        }
        try
        {
            peek.Skip();
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        reader.Skip();
        return true;
    }

    private static long Remaining(in MessagePackReader reader) => reader.Sequence.Length - reader.Consumed;

    // Header bytes of a str/bin/ext value (code byte included), or 0 for other types.
    private static long HeaderLength(byte code) => code switch
    {
        >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr => 1,
        MessagePackCode.Str8 or MessagePackCode.Bin8 => 2,
        MessagePackCode.Str16 or MessagePackCode.Bin16 => 3,
        MessagePackCode.Str32 or MessagePackCode.Bin32 => 5,
        MessagePackCode.FixExt1 or MessagePackCode.FixExt2 or MessagePackCode.FixExt4 or MessagePackCode.FixExt8 or MessagePackCode.FixExt16 => 2,
        MessagePackCode.Ext8 => 3,
        MessagePackCode.Ext16 => 4,
        MessagePackCode.Ext32 => 6,
        _ => 0,
    };

    private static long BodyLength(ReadOnlySpan<byte> head) => head[0] switch
    {
        >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr => head[0] & 0x1f,
        MessagePackCode.Str8 or MessagePackCode.Bin8 => head[1],
        MessagePackCode.Str16 or MessagePackCode.Bin16 => BinaryPrimitives.ReadUInt16BigEndian(head[1..]),
        MessagePackCode.Str32 or MessagePackCode.Bin32 => BinaryPrimitives.ReadUInt32BigEndian(head[1..]),
        MessagePackCode.FixExt1 => 1,
        MessagePackCode.FixExt2 => 2,
        MessagePackCode.FixExt4 => 4,
        MessagePackCode.FixExt8 => 8,
        MessagePackCode.FixExt16 => 16,
        MessagePackCode.Ext8 => head[1],
        MessagePackCode.Ext16 => BinaryPrimitives.ReadUInt16BigEndian(head[1..]),
        _ => BinaryPrimitives.ReadUInt32BigEndian(head[1..]), // Ext32
    };

    /// <summary>
    /// Takes one JSON array (or object) off the front of <paramref name="buffer"/>, skipping whitespace before it,
    /// resuming from the last whole token. False when it is not complete yet; throws
    /// <see cref="ForwardProtocolException"/> for text that is not JSON.
    /// </summary>
    public bool TryCutJson(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        var reader = new Utf8JsonReader(buffer.Slice(_jsonWalked), isFinalBlock: false, _jsonState);
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth != 0) continue;
                if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject or JsonTokenType.EndArray or JsonTokenType.EndObject))
                    throw new ForwardProtocolException($"a JSON request must be an array, got {reader.TokenType}");
                if (reader.TokenType is JsonTokenType.EndArray or JsonTokenType.EndObject)
                {
                    var end = buffer.GetPosition(_jsonWalked + reader.BytesConsumed);
                    frame = buffer.Slice(0, end);
                    buffer = buffer.Slice(end);
                    _jsonWalked = 0;
                    _jsonState = default;
                    return true;
                }
            }
        }
        catch (JsonException e)
        {
            throw new ForwardProtocolException($"invalid JSON: {e.Message}", e);
        }
        _jsonWalked += reader.BytesConsumed;
        _jsonState = reader.CurrentState;
        if (_jsonWalked > _maxRequestBytes)
            throw new ForwardProtocolException($"a request is larger than {_maxRequestBytes} bytes");
        return false;
    }
}
