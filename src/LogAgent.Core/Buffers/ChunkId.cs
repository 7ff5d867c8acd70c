using System.Buffers.Binary;
using System.Security.Cryptography;

namespace LogAgent.Core.Buffers;

/// <summary>
/// Chunk unique ids as fluentd makes them (lib/fluent/unique_id.rb, <c>UniqueId.generate</c>): 16 bytes whose first 8
/// are <c>(unix microseconds &lt;&lt; 12 | 12 random bits)</c> big-endian and whose last 8 are random. Being time-based,
/// ids sort in creation order, which Resume uses to break ties between chunks written in the same second.
/// </summary>
public static class ChunkId
{
    public const int ByteLength = 16;

    public static byte[] New() => New(DateTimeOffset.UtcNow);

    public static byte[] New(DateTimeOffset now)
    {
        var id = new byte[ByteLength];
        long micros = (now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        ulong high = (ulong)micros << 12 | (uint)(BinaryPrimitives.ReadUInt16BigEndian(random) & 0xfff);
        BinaryPrimitives.WriteUInt64BigEndian(id, high);
        random[2..].CopyTo(id.AsSpan(8));
        return id;
    }

    /// <summary>Lower-case hex, as fluentd's <c>UniqueId.hex</c> and the chunk file names use.</summary>
    public static string ToHex(ReadOnlySpan<byte> id) => Convert.ToHexStringLower(id);

    public static string NewHex() => ToHex(New());
}
