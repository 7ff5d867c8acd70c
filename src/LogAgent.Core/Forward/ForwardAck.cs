using System.Buffers;
using System.Text;
using LogAgent.Sdk.Text;
using MessagePack;

namespace LogAgent.Core.Forward;

/// <summary>
/// The ack response of Forward Protocol Specification v1 ("Response"): <c>{"ack": chunk}</c>, sent once the server
/// has accepted the request that carried <c>chunk</c>.
/// </summary>
public static class ForwardAck
{
    /// <summary>
    /// The reply to a request with <paramref name="chunk"/>. fluentd's in_forward serialises the reply the way the
    /// request came: msgpack with the chunk object as received (str stays str, bin stays bin), JSON for a JSON
    /// request (corpus README, checklist 4; <c>fd-server-plain.c1.out.bin</c> and <c>.c2.out.bin</c>).
    /// </summary>
    public static byte[] Encode(AckChunk chunk, bool json)
    {
        if (json)
            return Encoding.UTF8.GetBytes("{\"ack\":" + RecordJson.Serialize(Encoding.UTF8.GetString(chunk.Bytes)) + "}");
        var buffer = new ArrayBufferWriter<byte>(chunk.Bytes.Length + 16);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(1);
        writer.Write("ack");
        if (chunk.IsBinary) writer.Write(chunk.Bytes);
        else
        {
            writer.WriteStringHeader(chunk.Bytes.Length);
            writer.WriteRaw(chunk.Bytes);
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads one response off the front of <paramref name="buffer"/> (the sender's side). False while it is incomplete.
    /// <paramref name="ack"/> is the <c>ack</c> value's bytes (str or bin), or null when the response had none.
    /// Throws <see cref="ForwardProtocolException"/> when the bytes are not a response.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out byte[]? ack)
    {
        ack = null;
        if (!ForwardFraming.TryCutMessagePack(ref buffer, out var frame)) return false;
        try
        {
            var reader = new MessagePackReader(frame);
            if (reader.NextMessagePackType != MessagePackType.Map)
                throw new ForwardProtocolException($"a response must be a map, got {reader.NextMessagePackType}");
            int pairs = reader.ReadMapHeader();
            for (int i = 0; i < pairs; i++)
            {
                string? key = reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : null;
                if (key is null) reader.Skip();
                var type = reader.NextMessagePackType;
                if (key == "ack" && type == MessagePackType.String) ack = reader.ReadStringSequence()!.Value.ToArray();
                else if (key == "ack" && type == MessagePackType.Binary) ack = reader.ReadBytes()!.Value.ToArray();
                else reader.Skip();
            }
        }
        catch (MessagePackSerializationException e)
        {
            throw new ForwardProtocolException($"bad response: {e.Message}", e);
        }
        return true;
    }
}
