using System.Buffers.Binary;
using System.IO.Compression;

namespace LogAgent.Core.Buffers;

/// <summary>
/// Chunk data under <c>compress gzip</c>: fluentd gzips each appended bulk as its own gzip member and concatenates the
/// members in the chunk (lib/fluent/plugin/compressable.rb; chunk.rb's Decompressable inflates them all on read).
/// </summary>
internal static class GzipMembers
{
    private static readonly byte[] MemberMagic = [0x1f, 0x8b, 0x08]; // RFC 1952: ID1 ID2 CM=deflate
    private const int MinMemberLength = 18; // 10-byte header + empty deflate block + 8-byte trailer, rounded down

    /// <summary>True when stored data starts as a gzip member; a plain chunk never does (its first byte is an array header).</summary>
    public static bool LooksCompressed(ReadOnlySpan<byte> stored) => stored.Length >= 2 && stored[0] == 0x1f && stored[1] == 0x8b;

    /// <summary>One gzip member holding <paramref name="data"/> (zlib's default level, as Ruby's GzipWriter uses).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        var output = new MemoryStream(data.Length / 4 + 64);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>Inflates every member of data already known to be whole (a chunk this process wrote or validated).</summary>
    public static byte[] Decompress(ReadOnlyMemory<byte> stored)
    {
        using var input = new MemoryStream(stored.ToArray(), writable: false);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>
    /// Inflates member by member, checking each member's trailer (CRC-32 and length), because .NET's GZipStream
    /// silently returns a prefix for a truncated member. <see cref="Decoded.WholeStoredBytes"/> is where the last
    /// whole member ends; whatever of a broken tail could still be inflated is appended after the whole members.
    /// </summary>
    public static Decoded DecodeSalvaging(ReadOnlySpan<byte> stored)
    {
        var output = new MemoryStream();
        int pos = 0;
        while (pos < stored.Length && stored[pos..].StartsWith(MemberMagic))
        {
            int end = NextWholeMemberEnd(stored, pos, output);
            if (end < 0) break;
            pos = end;
        }
        int wholeDecoded = (int)output.Length;
        if (pos < stored.Length) InflatePrefix(stored[pos..], output);
        return new Decoded(output.ToArray(), wholeDecoded, pos, pos == stored.Length);
    }

    /// <summary>The end of the member starting at <paramref name="start"/>, or -1 when no candidate end yields a valid member.</summary>
    private static int NextWholeMemberEnd(ReadOnlySpan<byte> stored, int start, MemoryStream output)
    {
        // A member ends at the end of the data or where the next member's magic begins; the magic may also occur
        // inside deflate data, so each candidate is confirmed by inflating and checking the trailer.
        int from = start + MinMemberLength;
        while (from <= stored.Length)
        {
            int rel = from < stored.Length ? stored[from..].IndexOf(MemberMagic) : -1;
            int candidate = rel < 0 ? stored.Length : from + rel;
            if (TryInflateMember(stored[start..candidate], out var data))
            {
                output.Write(data);
                return candidate;
            }
            if (rel < 0) return -1;
            from = candidate + 1;
        }
        return -1;
    }

    private static bool TryInflateMember(ReadOnlySpan<byte> member, out byte[] data)
    {
        data = [];
        if (member.Length < MinMemberLength) return false;
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(member[^8..]);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(member[^4..]);
        var output = new MemoryStream();
        if (!InflatePrefix(member, output)) return false;
        data = output.ToArray();
        return (uint)data.Length == size && Crc32.Compute(data) == crc;
    }

    /// <summary>Inflates as much as possible; false when the data was rejected part-way (what was inflated stays in output).</summary>
    private static bool InflatePrefix(ReadOnlySpan<byte> stored, MemoryStream output)
    {
        using var gzip = new GZipStream(new MemoryStream(stored.ToArray(), writable: false), CompressionMode.Decompress);
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = gzip.Read(buffer)) > 0) output.Write(buffer, 0, n);
            return true;
        }
        catch (InvalidDataException) { return false; }
        catch (EndOfStreamException) { return false; }
    }

    /// <param name="Data">Inflated bytes: the whole members, then any salvageable prefix of a broken tail.</param>
    /// <param name="WholeMembersDataLength">How much of <paramref name="Data"/> came from whole members.</param>
    /// <param name="WholeStoredBytes">Stored (compressed) bytes taken by whole members.</param>
    /// <param name="Complete">True when the stored data is nothing but whole members.</param>
    public readonly record struct Decoded(byte[] Data, int WholeMembersDataLength, int WholeStoredBytes, bool Complete);

    /// <summary>CRC-32 (IEEE 802.3, reflected 0xEDB88320) as the gzip trailer holds it (RFC 1952 §8).</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = BuildTable();

        public static uint Compute(ReadOnlySpan<byte> data)
        {
            uint crc = 0xffffffff;
            foreach (var b in data) crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
            return ~crc;
        }

        private static uint[] BuildTable()
        {
            var table = new uint[256];
            for (uint i = 0; i < 256; i++)
            {
                uint c = i;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
                table[i] = c;
            }
            return table;
        }
    }
}
