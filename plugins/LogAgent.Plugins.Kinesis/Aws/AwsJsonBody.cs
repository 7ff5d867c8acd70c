using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Writes one JSON request body into pooled memory. A put's body is ~1.4× its records (base64) — hundreds of KiB,
/// past the large-object threshold — and lives through the HTTP call; allocated per request, each body was a
/// large-object allocation that drove the collector into gen2 collections. The caller disposes the body once sent.
/// </summary>
internal static class AwsJsonBody
{
    public static ArrayPoolBufferWriter<byte> Write(Action<Utf8JsonWriter> write, int sizeHint = 256)
    {
        var buffer = new ArrayPoolBufferWriter<byte>(Math.Max(sizeHint, 256));
        try
        {
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
                write(json);
            return buffer;
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }
}
