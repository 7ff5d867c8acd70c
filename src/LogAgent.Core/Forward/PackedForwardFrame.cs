using System.Buffers;
using System.Text;
using MessagePack;

namespace LogAgent.Core.Forward;

/// <summary>
/// One PackedForward request as fluentd's out_forward sends it (out_forward.rb, send_data_actual):
/// <c>[tag, str32 entries, {"size": n, "compressed": "text"|"gzip"(, "chunk": id)}]</c>. The entries are always a
/// str32 even though they are msgpack (or gzip) bytes, exactly as fluentd writes them (corpus README, checklist 1),
/// so any receiver that takes fluentd's requests takes ours. The entries are not copied: the frame is a prefix, the
/// entries as the buffer holds them, and a suffix, written in turn.
/// </summary>
public sealed class PackedForwardFrame
{
    private PackedForwardFrame(byte[] prefix, ReadOnlyMemory<byte> entries, byte[] suffix, byte[]? chunkId)
    {
        Prefix = prefix;
        Entries = entries;
        Suffix = suffix;
        ChunkId = chunkId;
    }

    /// <summary>Array header, tag and the str32 header of the entries.</summary>
    public byte[] Prefix { get; }

    /// <summary>The entries as sent: the chunk's bytes, or their gzip.</summary>
    public ReadOnlyMemory<byte> Entries { get; }

    /// <summary>The option map.</summary>
    public byte[] Suffix { get; }

    /// <summary>The <c>chunk</c> option's bytes when an ack is requested; the ack must echo them.</summary>
    public byte[]? ChunkId { get; }

    public long Length => Prefix.Length + Entries.Length + Suffix.Length;

    /// <param name="entries">Concatenated msgpack <c>[time, record]</c> entries.</param>
    /// <param name="count">How many entries (the <c>size</c> option).</param>
    /// <param name="gzip">Send CompressedPackedForward.</param>
    /// <param name="chunkId">The chunk's unique id (16 bytes in fluentd) when an ack is wanted, else null.</param>
    public static PackedForwardFrame Create(string tag, ReadOnlyMemory<byte> entries, int count, bool gzip, byte[]? chunkId)
    {
        var body = gzip ? GzipMembers.Compress(entries.Span) : entries;

        var prefix = new ArrayBufferWriter<byte>(tag.Length + 16);
        var writer = new MessagePackWriter(prefix);
        writer.WriteArrayHeader(3);
        writer.Write(tag);
        writer.Flush();
        var header = prefix.GetSpan(5);
        header[0] = MessagePackCode.Str32;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)body.Length);
        prefix.Advance(5);

        // Ruby's Base64.encode64 ends its output with "\n", and fluentd's acks echo it (corpus README, checklist 1).
        byte[]? ackId = chunkId is null ? null : Encoding.ASCII.GetBytes(Convert.ToBase64String(chunkId) + "\n");
        var suffix = new ArrayBufferWriter<byte>(64);
        writer = new MessagePackWriter(suffix);
        writer.WriteMapHeader(ackId is null ? 2 : 3);
        writer.Write("size");
        writer.Write(count);
        writer.Write("compressed");
        writer.Write(gzip ? "gzip" : "text");
        if (ackId is not null)
        {
            writer.Write("chunk");
            writer.WriteStringHeader(ackId.Length);
            writer.WriteRaw(ackId);
        }
        writer.Flush();
        return new PackedForwardFrame(prefix.WrittenSpan.ToArray(), body, suffix.WrittenSpan.ToArray(), ackId);
    }

    /// <summary>
    /// Largest entries section of one request when a chunk is cut into several. Fluent Bit's in_forward refuses
    /// a message over its Buffer_Max_Size (6,144,000 bytes by default), which fluentd's default 8 MiB memory chunk
    /// exceeds; and receivers that buffer a whole message before taking it apart (fluentd, Fluent Bit, most sinks)
    /// work through one of ~1 MiB without a large allocation.
    /// </summary>
    public const int MaxEntriesBytes = 1 << 20;

    /// <summary>
    /// The requests for one chunk: one for up to <see cref="MaxEntriesBytes"/> of entries, else the entries cut at
    /// entry boundaries into requests of at most that size (a single larger entry goes alone). With an ack
    /// wanted, the first request carries <paramref name="chunkId"/> and each further one that id with its index
    /// folded into the last two bytes, so every request has its own ack.
    /// </summary>
    public static IReadOnlyList<PackedForwardFrame> CreateAll(string tag, ReadOnlyMemory<byte> entries, int count, bool gzip, byte[]? chunkId)
    {
        if (entries.Length <= MaxEntriesBytes) return new[] { Create(tag, entries, count, gzip, chunkId) };
        var frames = new List<PackedForwardFrame>();
        int offset = 0, left = count;
        while (left > 0 && offset < entries.Length)
        {
            var (n, length) = Buffers.EntryPrefix.Fitting(entries[offset..], MaxEntriesBytes, left);
            if (n == 0) (n, length) = Buffers.EntryPrefix.Fitting(entries[offset..], long.MaxValue, 1);
            frames.Add(Create(tag, entries.Slice(offset, length), n, gzip, PartId(chunkId, frames.Count)));
            offset += length;
            left -= n;
        }
        return frames;
    }

    private static byte[]? PartId(byte[]? chunkId, int part)
    {
        if (chunkId is null || part == 0) return chunkId;
        var id = (byte[])chunkId.Clone();
        if (id.Length >= 2)
        {
            id[^2] ^= (byte)(part >> 8);
            id[^1] ^= (byte)part;
        }
        else id = [.. id, (byte)(part >> 8), (byte)part];
        return id;
    }

    public async Task WriteToAsync(Stream stream, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Prefix, cancellationToken);
        await stream.WriteAsync(Entries, cancellationToken);
        await stream.WriteAsync(Suffix, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    public byte[] ToArray()
    {
        var all = new byte[Length];
        Prefix.CopyTo(all, 0);
        Entries.Span.CopyTo(all.AsSpan(Prefix.Length));
        Suffix.CopyTo(all, Prefix.Length + Entries.Length);
        return all;
    }
}
