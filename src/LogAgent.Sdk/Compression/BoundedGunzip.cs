using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;

namespace LogAgent.Sdk.Compression;

/// <summary>The data inflates past the caller's limit (a few KiB of gzip can expand to gigabytes).</summary>
public sealed class InflateLimitExceededException(long maxBytes)
    : IOException($"inflates to more than {maxBytes} bytes")
{
    public long MaxBytes { get; } = maxBytes;
}

/// <summary>
/// Gzip from a peer or a stream (forward's CompressedPackedForward, a CloudWatch Logs envelope, a plugin's input),
/// inflated with a bound on memory. Every member is read in turn, as <c>zcat</c> does: a sender may concatenate members.
/// </summary>
public static class BoundedGunzip
{
    /// <summary>
    /// Inflates <paramref name="compressed"/>. Throws <see cref="InflateLimitExceededException"/> past
    /// <paramref name="maxBytes"/>, and <see cref="InvalidDataException"/> (GZipStream's) when it is not gzip.
    /// </summary>
    public static byte[] Decompress(ReadOnlyMemory<byte> compressed, long maxBytes)
    {
        using var input = MemoryMarshal.TryGetArray(compressed, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(compressed.ToArray(), writable: false);
        return Inflate(new GZipStream(input, CompressionMode.Decompress), maxBytes);
    }

    /// <summary>
    /// Reads a decompressing stream (gzip, zlib, deflate) to its end and disposes it, throwing
    /// <see cref="InflateLimitExceededException"/> past <paramref name="maxBytes"/>.
    /// </summary>
    public static byte[] Inflate(Stream decompressing, long maxBytes)
    {
        using var _ = decompressing;
        using var output = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = decompressing.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + n > maxBytes) throw new InflateLimitExceededException(maxBytes);
                output.Write(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return output.ToArray();
    }
}
