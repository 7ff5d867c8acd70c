using System.Buffers;
using ZstdSharp;

namespace LogAgent.Core.Forward;

/// <summary>
/// Zstandard for CompressedPackedForward with the option <c>compressed: "zstd"</c>, which fluentd's in_forward
/// accepts since 1.17 (out_forward <c>compress zstd</c>). As with gzip, a sender may concatenate several frames (one
/// per buffer append), and all of them are read in turn. ZstdSharp.Port is a pure C# port of libzstd, so no native
/// library has to be on the machine.
/// </summary>
public static class ZstdFrames
{
    /// <summary>
    /// Decompresses every frame. Throws <see cref="ForwardProtocolException"/> when the data is not zstd or inflates
    /// past <paramref name="maxBytes"/> (a zstd bomb is as cheap to make as a gzip one).
    /// </summary>
    public static byte[] Decompress(ReadOnlySequence<byte> compressed, long maxBytes)
    {
        using var input = new MemoryStream(compressed.ToArray(), writable: false);
        using var zstd = new DecompressionStream(input);
        using var output = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int n;
            while ((n = zstd.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + n > maxBytes)
                    throw new ForwardProtocolException($"zstd entries inflate to more than {maxBytes} bytes");
                output.Write(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is ZstdException or EndOfStreamException or InvalidDataException)
        {
            throw new ForwardProtocolException($"compressed entries are not valid zstd: {e.Message}", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return output.ToArray();
    }
}
