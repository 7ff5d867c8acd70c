using System.IO.Compression;
using LogAgent.Sdk.Compression;

namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>How a consumed record's data is compressed (<c>decompress</c>): what the outputs' <c>compression</c> wrote.</summary>
public enum DecompressMode { None, Gzip, Zlib, Auto }

/// <summary>
/// Inflates a record's data per <c>decompress</c>, bounded: a Kinesis record is at most 10 MiB, and a few KiB of gzip
/// can expand to gigabytes, so past <see cref="MaxInflatedBytes"/> the record is refused (to @ERROR) rather than
/// filling memory. <c>auto</c> looks at the first bytes: the gzip magic (1F 8B), a zlib header (CMF 0x78 with a
/// valid check), else the data is taken as it is — so a stream that mixes plain and compressed writers still reads.
/// </summary>
public static class RecordDecompression
{
    public const int MaxInflatedBytes = 64 << 20;

    public static DecompressMode Parse(string value) => value switch
    {
        "none" => DecompressMode.None,
        "gzip" => DecompressMode.Gzip,
        "zlib" => DecompressMode.Zlib,
        "auto" => DecompressMode.Auto,
        _ => throw new FormatException($"decompress must be none, gzip, zlib or auto, not '{value}'"),
    };

    /// <summary>The data inflated; <see cref="InvalidDataException"/> when it is not what the mode says, or inflates too far.</summary>
    public static ReadOnlyMemory<byte> Inflate(ReadOnlyMemory<byte> data, DecompressMode mode)
    {
        if (mode == DecompressMode.Auto) mode = IsGzip(data.Span) ? DecompressMode.Gzip : IsZlib(data.Span) ? DecompressMode.Zlib : DecompressMode.None;
        try
        {
            return mode switch
            {
                DecompressMode.Gzip => BoundedGunzip.Decompress(data, MaxInflatedBytes),
                DecompressMode.Zlib => BoundedGunzip.Inflate(new ZLibStream(new MemoryStream(data.ToArray(), writable: false), CompressionMode.Decompress), MaxInflatedBytes),
                _ => data,
            };
        }
        catch (InflateLimitExceededException e)
        {
            throw new InvalidDataException($"{Name(mode)} data {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"not {Name(mode)} data ({e.Message})", e);
        }
    }

    private static string Name(DecompressMode mode) => mode.ToString().ToLowerInvariant();

    private static bool IsGzip(ReadOnlySpan<byte> data) => data is [0x1f, 0x8b, ..];

    // RFC 1950: CMF 0x78 (deflate, 32 KiB window) and (CMF·256 + FLG) divisible by 31.
    private static bool IsZlib(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0x78 && ((data[0] << 8) | data[1]) % 31 == 0;
}
