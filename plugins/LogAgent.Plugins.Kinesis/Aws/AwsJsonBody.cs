using System.Buffers;
using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>Writes one JSON request body to bytes.</summary>
internal static class AwsJsonBody
{
    public static ReadOnlyMemory<byte> Write(Action<Utf8JsonWriter> write, int sizeHint = 256)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Max(sizeHint, 256));
        using (var json = new Utf8JsonWriter(buffer))
            write(json);
        return buffer.WrittenMemory; // the buffer is this body's alone: no copy
    }
}
