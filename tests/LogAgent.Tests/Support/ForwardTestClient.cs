using System.Buffers;
using System.Net.Sockets;
using LogAgent.Sdk.Events;
using MessagePack;

namespace LogAgent.Tests.Support;

/// <summary>
/// A minimal forward-protocol sender written for tests, independent of LogAgent's own code: Forward mode
/// <c>[tag, [[time, record]…], {"chunk": id}]</c>, then it waits for <c>{"ack": id}</c>.
/// </summary>
public sealed class ForwardTestClient : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private ForwardTestClient(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<ForwardTestClient> ConnectAsync(int port, TimeSpan timeout)
    {
        var client = new TcpClient();
        using var cts = new CancellationTokenSource(timeout);
        await client.ConnectAsync("127.0.0.1", port, cts.Token);
        return new ForwardTestClient(client);
    }

    public static byte[] Encode(string tag, IEnumerable<Record> records, string chunk)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        var list = records.ToList();
        writer.WriteArrayHeader(3);
        writer.Write(tag);
        writer.WriteArrayHeader(list.Count);
        foreach (var record in list)
        {
            writer.WriteArrayHeader(2);
            EventTime.Now.WriteTo(ref writer);
            RecordCodec.WriteValue(ref writer, record);
        }
        writer.WriteMapHeader(1);
        writer.Write("chunk");
        writer.Write(chunk);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Sends the events and returns true once the matching ack arrived within the timeout.</summary>
    public async Task<bool> SendWithAckAsync(string tag, IEnumerable<Record> records, string chunk, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _stream.WriteAsync(Encode(tag, records, chunk), cts.Token);
            var received = new List<byte>();
            var buffer = new byte[256];
            while (true)
            {
                int n = await _stream.ReadAsync(buffer, cts.Token);
                if (n == 0) return false;
                received.AddRange(buffer.AsSpan(0, n).ToArray());
                var reader = new MessagePackReader(received.ToArray());
                try
                {
                    if (reader.ReadMapHeader() != 1 || reader.ReadString() != "ack") return false;
                    return reader.ReadString() == chunk;
                }
                catch (EndOfStreamException)
                {
                    // not all of the reply yet
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>A TCP port that was free a moment ago, for configs that must name their port before it is used.</summary>
public static class FreePort
{
    public static int Get()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
