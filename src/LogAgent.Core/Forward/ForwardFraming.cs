using System.Buffers;
using System.Text.Json;
using MessagePack;

namespace LogAgent.Core.Forward;

/// <summary>
/// Cuts a TCP byte stream into whole forward requests. A request is one msgpack value (Forward Protocol Specification
/// v1), or one JSON array when the connection's first byte is '[' or '{' (fluentd's in_forward decides per connection,
/// in read_messages). TCP segments split values anywhere, so an incomplete value leaves the buffer untouched and
/// the caller waits for more bytes.
/// </summary>
public static class ForwardFraming
{
    /// <summary>
    /// Deepest array/map nesting accepted. Records are decoded recursively further on (filters, formatters), so a
    /// frame of a million nested arrays must be refused here rather than overflow a stack later.
    /// </summary>
    public const int MaxNesting = 100;

    /// <summary>True when the connection speaks JSON rather than msgpack: its first byte opens a JSON array or object.</summary>
    public static bool StartsJson(byte first) => first is (byte)'[' or (byte)'{';

    /// <summary>
    /// Takes one msgpack value off the front of <paramref name="buffer"/>. False when the value is not complete yet;
    /// throws <see cref="ForwardProtocolException"/> when the bytes cannot be msgpack.
    /// </summary>
    public static bool TryCutMessagePack(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        var reader = new MessagePackReader(buffer);
        try
        {
            SkipOneValue(ref reader);
        }
        catch (EndOfStreamException)
        {
            frame = default;
            return false;
        }
        catch (MessagePackSerializationException e)
        {
            throw new ForwardProtocolException($"not msgpack: {e.Message}", e);
        }
        frame = buffer.Slice(0, reader.Position);
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    // Iterative on purpose: MessagePackReader.Skip recurses once per nesting level.
    private static void SkipOneValue(ref MessagePackReader reader)
    {
        Span<long> pending = stackalloc long[MaxNesting + 1];
        int depth = 0;
        pending[0] = 1;
        while (depth >= 0)
        {
            if (pending[depth] == 0)
            {
                depth--;
                continue;
            }
            pending[depth]--;
            long children;
            switch (reader.NextMessagePackType)
            {
                case MessagePackType.Array:
                    children = reader.ReadArrayHeader();
                    break;
                case MessagePackType.Map:
                    children = 2L * reader.ReadMapHeader();
                    break;
                case MessagePackType.Unknown:
                    throw new ForwardProtocolException($"byte 0x{reader.NextCode:x2} is not a msgpack type");
                default:
                    reader.Skip();
                    continue;
            }
            if (children == 0) continue;
            if (depth == MaxNesting) throw new ForwardProtocolException($"values nested deeper than {MaxNesting} levels");
            pending[++depth] = children;
        }
    }

    /// <summary>
    /// Takes one JSON array (or object) off the front of <paramref name="buffer"/>, skipping whitespace before it.
    /// False when it is not complete yet; throws <see cref="ForwardProtocolException"/> for text that is not JSON.
    /// </summary>
    public static bool TryCutJson(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        var reader = new Utf8JsonReader(buffer, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read()) return false;
            if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.StartObject))
                throw new ForwardProtocolException($"a JSON request must be an array, got {reader.TokenType}");
            if (!reader.TrySkip()) return false;
        }
        catch (JsonException e)
        {
            throw new ForwardProtocolException($"invalid JSON: {e.Message}", e);
        }
        var end = buffer.GetPosition(reader.BytesConsumed);
        frame = buffer.Slice(0, end);
        buffer = buffer.Slice(end);
        return true;
    }

    /// <summary>True when the bytes are only JSON whitespace (what may follow the last JSON request).</summary>
    public static bool IsWhitespace(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
            foreach (var b in segment.Span)
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
        return true;
    }
}
