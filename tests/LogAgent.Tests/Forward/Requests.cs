using System.Buffers;
using MessagePack;

namespace LogAgent.Tests.Forward;

/// <summary>Builds forward requests as msgpack bytes for tests.</summary>
public static class Requests
{
    /// <summary>Writes with the writer itself (a struct: a copy would keep its bytes to itself).</summary>
    public delegate void Writing(ref MessagePackWriter writer);

    public static byte[] Build(Writing write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>[tag, time, {"seq": seq}(, {"chunk": chunk})]</c> with an integer time.</summary>
    public static byte[] Message(string tag, long time, int seq, string? chunk = null) => Build((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(chunk is null ? 3 : 4);
        w.Write(tag);
        w.Write(time);
        WriteRecord(ref w, seq);
        if (chunk is not null)
        {
            w.WriteMapHeader(1);
            w.Write("chunk");
            w.Write(chunk);
        }
    });

    public static void WriteRecord(ref MessagePackWriter w, int seq)
    {
        w.WriteMapHeader(1);
        w.Write("seq");
        w.Write(seq);
    }

    /// <summary>The ack fluentd sends for a str chunk.</summary>
    public static byte[] Ack(string chunk) => Build((ref MessagePackWriter w) =>
    {
        w.WriteMapHeader(1);
        w.Write("ack");
        w.Write(chunk);
    });
}
