using System.Buffers;
using MessagePack;
using LogAgent.Core.Buffers;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Buffers;

/// <summary>Entries to append, and the sequence numbers read back from a chunk.</summary>
internal static class ChunkTestData
{
    public static readonly EventTime Time = new(1764150000, 123456789);

    /// <summary><c>[time, record]</c> entries whose records are <c>{"seq": first…, "message": …}</c>.</summary>
    public static byte[] Entries(int first, int count)
    {
        var builder = new EventStreamBuilder("test.tag");
        for (int i = first; i < first + count; i++)
            builder.Add(Time, new Record { ["seq"] = (long)i, ["message"] = "GET /index.html HTTP/1.1 200 " + new string('x', i % 17) });
        return builder.Build().Entries.ToArray();
    }

    /// <summary><c>[tag, time, record]</c> entries, for chunks whose tag is not a chunk key.</summary>
    public static byte[] TaggedEntries(string tag, int first, int count)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        for (int i = first; i < first + count; i++)
        {
            writer.WriteArrayHeader(3);
            writer.Write(tag);
            Time.WriteTo(ref writer);
            RecordCodec.WriteValue(ref writer, new Record { ["seq"] = (long)i });
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static List<long> Seqs(BufferChunk chunk)
    {
        var seqs = new List<long>();
        foreach (var entry in chunk) seqs.Add(Convert.ToInt64(entry.DecodeRecord()["seq"]));
        return seqs;
    }

    public static IEnumerable<long> Range(int first, int count) => Enumerable.Range(first, count).Select(i => (long)i);

    public static ChunkMetadata Tag(string tag) => new(tag, null, null);

    public static FileChunkStore FileStore(TempDirectory dir, CapturingLoggerProvider? logs = null, bool gzip = false, string sub = "buffer") =>
        new(Path.Combine(dir.Path, sub), Path.Combine(dir.Path, "root"), "out_test", gzip, fsync: false,
            (logs ?? new CapturingLoggerProvider()).CreateLogger("buffer"));
}
