using System.Net.Sockets;
using MessagePack;

namespace LogAgent.LoadTest;

/// <summary>
/// Sends the same PackedForward request over several connections as fast as the agent acks it, keeping up to
/// <c>window</c> requests in flight per connection (a pipelining client, like out_forward with several flush threads).
/// An event counts once its request was acked: in_forward acks only after the events are in every destination.
/// </summary>
public sealed class ForwardLoadSender
{
    private readonly AccessLogBatch _batch;
    private readonly int _connections;
    private readonly int _window;
    private long _ackedRequests;

    public ForwardLoadSender(AccessLogBatch batch, int connections, int window)
    {
        _batch = batch;
        _connections = connections;
        _window = window;
    }

    public long AckedEvents => Interlocked.Read(ref _ackedRequests) * _batch.Events;

    public async Task RunAsync(int port, CancellationToken stop)
    {
        var runs = Enumerable.Range(0, _connections).Select(_ => RunConnectionAsync(port, stop)).ToArray();
        await Task.WhenAll(runs);
    }

    private async Task RunConnectionAsync(int port, CancellationToken stop)
    {
        using var client = new TcpClient { NoDelay = true, SendBufferSize = 1 << 20 };
        await client.ConnectAsync("127.0.0.1", port, stop);
        var stream = client.GetStream();
        using var slots = new SemaphoreSlim(_window);
        var acks = ReadAcksAsync(stream, slots, stop);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await slots.WaitAsync(stop);
                await stream.WriteAsync(_batch.Request, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        client.Client.Shutdown(SocketShutdown.Send);
        await acks;
    }

    // Each response is one msgpack map ({"ack": id}); counting whole values is enough.
    private async Task ReadAcksAsync(NetworkStream stream, SemaphoreSlim slots, CancellationToken stop)
    {
        var buffer = new byte[64 * 1024];
        int filled = 0;
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer.AsMemory(filled), stop);
                if (n == 0) return;
                filled += n;
                var reader = new MessagePackReader(buffer.AsMemory(0, filled));
                int consumed = 0;
                while (true)
                {
                    try
                    {
                        reader.Skip();
                    }
                    catch (EndOfStreamException)
                    {
                        break;
                    }
                    consumed = (int)reader.Consumed;
                    Interlocked.Increment(ref _ackedRequests);
                    slots.Release();
                    if (reader.End) break;
                }
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
    }
}
