using System.Buffers;
using System.Buffers.Binary;
using MessagePack;
using LogAgent.Sdk.Buffers;

namespace LogAgent.Core.Buffers;

/// <summary>
/// A chunk's <c>.meta</c> file as fluentd writes it (buffer/file_chunk.rb, <c>write_metadata</c>): the 2-byte
/// BUFFER_HEADER <c>0xc1 0x00</c> (0xc1 is never valid msgpack, which tells this format from the headerless one of
/// fluentd before 1.10), a big-endian uint32 length, then a msgpack map <c>{timekey, tag, variables, seq, id, s, c, m}</c>
/// (id: 16-byte bin; s: record count; c, m: created and modified, unix seconds). LogAgent adds
/// <c>logagent_retries</c> when a chunk has failed; fluentd reads keys by name and ignores it.
/// </summary>
internal sealed record FileChunkMeta(
    ChunkMetadata Metadata, long Sequence, byte[] Id, long RecordCount, long CreatedUnix, long ModifiedUnix, int Retries)
{
    public const string RetriesKey = "logagent_retries";
    private const byte HeaderByte0 = 0xc1, HeaderByte1 = 0x00;
    private const int HeaderLength = 6;

    /// <summary>
    /// Encodes the file. <c>s</c> and <c>m</c> are always written as uint32 (0xce) rather than the shortest form, so
    /// appends change neither the length nor any other byte and the meta can be updated in place (see FileChunk).
    /// </summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        buffer.Write(stackalloc byte[HeaderLength]);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(Retries > 0 ? 9 : 8);
        writer.Write("timekey");
        if (Metadata.Timekey is { } timekey) writer.Write(timekey); else writer.WriteNil();
        writer.Write("tag");
        if (Metadata.Tag is { } tag) writer.Write(tag); else writer.WriteNil();
        writer.Write("variables");
        if (Metadata.Variables.Count == 0) writer.WriteNil();
        else
        {
            writer.WriteMapHeader(Metadata.Variables.Count);
            foreach (var (key, value) in Metadata.Variables) { writer.Write(key); writer.Write(value); }
        }
        writer.Write("seq");
        writer.Write(Sequence);
        writer.Write("id");
        writer.Write(Id);
        writer.Write("s");
        writer.WriteUInt32((uint)Math.Min(RecordCount, uint.MaxValue));
        writer.Write("c");
        writer.Write(CreatedUnix);
        writer.Write("m");
        writer.WriteUInt32((uint)Math.Clamp(ModifiedUnix, 0, uint.MaxValue));
        if (Retries > 0) { writer.Write(RetriesKey); writer.Write(Retries); }
        writer.Flush();
        var bytes = buffer.WrittenSpan.ToArray();
        bytes[0] = HeaderByte0;
        bytes[1] = HeaderByte1;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(2), (uint)(bytes.Length - HeaderLength));
        return bytes;
    }

    /// <summary>Decodes a meta file; null with a reason when it is empty, cut short or not a meta map.</summary>
    public static FileChunkMeta? TryDecode(ReadOnlyMemory<byte> file, out string problem)
    {
        problem = "";
        var span = file.Span;
        if (span.Length == 0) { problem = "the meta file is empty"; return null; }
        ReadOnlyMemory<byte> map;
        if (span[0] == HeaderByte0)
        {
            if (span.Length < HeaderLength || span[1] != HeaderByte1) { problem = "the meta header is cut short or wrong"; return null; }
            uint length = BinaryPrimitives.ReadUInt32BigEndian(span[2..]);
            if (length > span.Length - HeaderLength) { problem = $"the meta declares {length} bytes but holds {span.Length - HeaderLength}"; return null; }
            map = file.Slice(HeaderLength, (int)length);
        }
        else map = file; // fluentd < 1.10 wrote the map without a header
        try
        {
            var meta = Read(map, out problem);
            if (meta is null) return null;
            return meta;
        }
        catch (Exception e) when (e is EndOfStreamException or MessagePackSerializationException or OverflowException or InvalidOperationException)
        {
            problem = $"the meta map is malformed ({e.Message})";
            return null;
        }
    }

    private static FileChunkMeta? Read(ReadOnlyMemory<byte> map, out string problem)
    {
        problem = "";
        var reader = new MessagePackReader(map);
        if (reader.NextMessagePackType != MessagePackType.Map) { problem = "the meta is not a msgpack map"; return null; }
        int n = reader.ReadMapHeader();
        long? timekey = null;
        string? tag = null;
        Dictionary<string, string>? variables = null;
        long seq = 0, size = 0, created = 0, modified = 0;
        int retries = 0;
        byte[]? id = null;
        bool sawSize = false;
        for (int i = 0; i < n; i++)
        {
            var key = reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : null;
            if (reader.TryReadNil()) continue;
            switch (key)
            {
                case "timekey": timekey = (long)ReadNumber(ref reader); break;
                case "tag": tag = reader.ReadString(); break;
                case "variables":
                    int count = reader.ReadMapHeader();
                    variables = new Dictionary<string, string>(count, StringComparer.Ordinal);
                    for (int v = 0; v < count; v++) variables[reader.ReadString() ?? ""] = ReadScalarText(ref reader);
                    break;
                case "seq": seq = (long)ReadNumber(ref reader); break;
                case "id": id = reader.ReadBytes()?.ToArray(); break;
                case "s": size = (long)ReadNumber(ref reader); sawSize = true; break;
                case "c": created = (long)ReadNumber(ref reader); break;
                case "m": modified = (long)ReadNumber(ref reader); break;
                case RetriesKey: retries = (int)ReadNumber(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        if (!reader.End) { problem = "the meta map is followed by stray bytes"; return null; }
        if (!sawSize) { problem = "the meta map has no record count ('s')"; return null; }
        return new FileChunkMeta(new ChunkMetadata(tag, timekey, variables), seq, id ?? [], size, created, modified, retries);
    }

    private static double ReadNumber(ref MessagePackReader reader) =>
        reader.NextMessagePackType == MessagePackType.Float ? reader.ReadDouble() : reader.ReadInt64();

    private static string ReadScalarText(ref MessagePackReader reader) => reader.NextMessagePackType switch
    {
        MessagePackType.String => reader.ReadString() ?? "",
        MessagePackType.Integer => reader.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
        MessagePackType.Float => reader.ReadDouble().ToString(System.Globalization.CultureInfo.InvariantCulture),
        MessagePackType.Boolean => reader.ReadBoolean() ? "true" : "false",
        MessagePackType.Nil => reader.TryReadNil() ? "" : "",
        _ => SkipToEmpty(ref reader),
    };

    private static string SkipToEmpty(ref MessagePackReader reader)
    {
        reader.Skip();
        return "";
    }
}
