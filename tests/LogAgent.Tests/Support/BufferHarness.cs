using LogAgent.Core.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging.Abstractions;

namespace LogAgent.Tests.Support;

/// <summary>
/// Runs streams through a real memory buffer with the output's own buffer defaults and writes every resulting
/// chunk at once: a plugin's WriteAsync tested as the engine would call it, without flush threads or timing.
/// </summary>
public static class BufferHarness
{
    public static Task Write(BufferedOutputPlugin output, params EventStream[] streams) =>
        Write(output, output.BufferDefaults.ChunkKeys ?? "", streams);

    /// <summary>The same with other chunk keys, as a &lt;buffer KEYS&gt; section would give.</summary>
    public static async Task Write(BufferedOutputPlugin output, string chunkKeys, params EventStream[] streams)
    {
        var config = BufferConfig.WithDefaults(output.BufferDefaults);
        var at = new ConfigSection("buffer", chunkKeys, "test.conf", 1);
        var keys = ChunkKeys.Parse(chunkKeys, config, at);
        var rejected = new List<Exception>();
        var buffer = new OutputBuffer(config, keys, () => new MemoryChunkStore(false), NullLogger.Instance, TimeProvider.System,
            (_, _, _, e) => rejected.Add(e));
        buffer.Resume();
        foreach (var stream in streams) buffer.Write(stream);
        buffer.EnqueueDue(all: true);
        while (buffer.Dequeue() is { } chunk)
        {
            await output.WriteAsync(chunk, CancellationToken.None);
            buffer.Purge(chunk);
        }
        if (rejected.Count > 0) throw new InvalidOperationException("events rejected by the buffer: " + rejected[0].Message);
    }
}
