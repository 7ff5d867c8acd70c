using System.Buffers;
using System.IO.Compression;
using LogAgent.Sdk.Compression;

namespace LogAgent.Core.Forward;

/// <summary>
/// Gzip for CompressedPackedForward (Forward Protocol Specification v1: "entries … compressed by gzip"). A sender may
/// concatenate several gzip members — fluentd's gzip buffer compresses each append on its own — and .NET's
/// <see cref="GZipStream"/> reads every member in turn, as <c>zcat</c> does.
/// </summary>
public static class GzipMembers
{
    /// <summary>
    /// Decompresses all members. Throws <see cref="ForwardProtocolException"/> when the data is not gzip or inflates past
    /// <paramref name="maxBytes"/>: a few KiB of gzip can expand to gigabytes, and a receiver must bound its memory.
    /// </summary>
    public static byte[] Decompress(ReadOnlySequence<byte> compressed, long maxBytes)
    {
        try
        {
            return BoundedGunzip.Decompress(compressed.ToArray(), maxBytes);
        }
        catch (InflateLimitExceededException)
        {
            throw new ForwardProtocolException($"gzip entries inflate to more than {maxBytes} bytes");
        }
        catch (InvalidDataException e)
        {
            throw new ForwardProtocolException($"compressed entries are not valid gzip: {e.Message}", e);
        }
    }

    /// <summary>Compresses entries as one gzip member (out_forward's <c>compress gzip</c>).</summary>
    public static byte[] Compress(ReadOnlySpan<byte> data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(data);
        return output.ToArray();
    }
}
