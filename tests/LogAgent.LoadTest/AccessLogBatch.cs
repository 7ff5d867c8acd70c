using System.Buffers;
using MessagePack;

namespace LogAgent.LoadTest;

/// <summary>
/// One PackedForward request of access-log events, encoded once and sent over and over:
/// <c>[tag, bin32 entries, {"size": n(, "chunk": id)}]</c>. Every event encodes to the same number of bytes (fixed-width
/// fields), so the receiving side can check that bytes and event counts agree without decoding anything.
/// </summary>
public sealed class AccessLogBatch
{
    public AccessLogBatch(string tag, int events, bool requestAck)
    {
        var entries = new ArrayBufferWriter<byte>(events * 256);
        int first = 0;
        for (int i = 0; i < events; i++)
        {
            int before = entries.WrittenCount;
            WriteEvent(entries, i);
            int size = entries.WrittenCount - before;
            if (i == 0) first = size;
            else if (size != first) throw new InvalidOperationException($"event {i} encodes to {size} bytes, the first to {first}");
        }
        EventBytes = first;
        EntryBytes = entries.WrittenCount;
        Events = events;

        var request = new ArrayBufferWriter<byte>(entries.WrittenCount + 128);
        var writer = new MessagePackWriter(request);
        writer.WriteArrayHeader(3);
        writer.Write(tag);
        writer.Write(entries.WrittenSpan);
        writer.WriteMapHeader(requestAck ? 2 : 1);
        writer.Write("size");
        writer.Write(events);
        if (requestAck)
        {
            writer.Write("chunk");
            writer.Write("bG9hZHRlc3QtYmF0Y2g=");
        }
        writer.Flush();
        Request = request.WrittenSpan.ToArray();
    }

    public byte[] Request { get; }
    public int Events { get; }
    public int EventBytes { get; }
    public int EntryBytes { get; }

    private static readonly string[] Paths = ["/index.html", "/api/v1/users", "/static/app.js", "/login", "/api/v1/order"];

    // A combined-log-format line already parsed into fields, about 200 bytes of msgpack.
    private static void WriteEvent(IBufferWriter<byte> output, int i)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(2);
        writer.WriteExtensionFormatHeader(new ExtensionHeader(0, 8));
        var time = writer.GetSpan(8);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(time, 1_767_225_600u + (uint)(i / 100));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(time[4..], (uint)(i % 100) * 10_000_000u);
        writer.Advance(8);
        writer.WriteMapHeader(8);
        writer.Write("host"); writer.Write($"10.0.{i / 256 % 256:D3}.{i % 256:D3}");
        writer.Write("user"); writer.Write("-");
        writer.Write("method"); writer.Write(i % 7 == 0 ? "POST" : "GET ");
        writer.Write("path"); writer.Write(Paths[i % Paths.Length].PadRight(16, ' ') + $"?id={i:D6}");
        writer.Write("code"); writer.Write(i % 50 == 0 ? "500" : "200");
        writer.Write("size"); writer.Write($"{i * 7919 % 100000:D5}");
        writer.Write("referer"); writer.Write("https://www.example.com/");
        writer.Write("agent"); writer.Write("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");
        writer.Flush();
    }
}
