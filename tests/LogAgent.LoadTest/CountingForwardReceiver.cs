using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using MessagePack;

namespace LogAgent.LoadTest;

/// <summary>
/// The far end of forward → forward: a forward server that counts what arrives and acks requests that ask for it.
/// It reads only the request's envelope (tag, the entries' length, the option map) so it costs the shared CPU as
/// little as possible; <see cref="CheckBytes"/> then confirms bytes and counts agree.
/// </summary>
public sealed class CountingForwardReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = new();
    private readonly Task _accept;
    private long _events;
    private long _entryBytes;

    public CountingForwardReceiver()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public long Events => Interlocked.Read(ref _events);
    public long EntryBytes => Interlocked.Read(ref _entryBytes);

    /// <summary>Null when the bytes received are exactly the events counted times the size of one event.</summary>
    public string? CheckBytes(int eventBytes) =>
        EntryBytes == Events * eventBytes ? null : $"received {EntryBytes} bytes of entries for {Events} events of {eventBytes} bytes";

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_connections) _connections.Add(Task.Run(() => ServeAsync(socket)));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 1 << 20));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token);
                var buffer = result.Buffer;
                while (TryReadRequest(ref buffer, out var chunk))
                    if (chunk is not null) await stream.WriteAsync(chunk, _stop.Token);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
        }
        await reader.CompleteAsync();
    }

    // [tag, bin|str entries, {"size": n, "compressed": "text", ("chunk": id)}]; returns the ack to send, if any.
    private bool TryReadRequest(ref ReadOnlySequence<byte> buffer, out byte[]? ack)
    {
        ack = null;
        var reader = new MessagePackReader(buffer);
        long events = 0, bytes;
        try
        {
            if (reader.ReadArrayHeader() != 3) throw new InvalidDataException("a request of this load test is [tag, entries, option]");
            reader.Skip();
            var entries = reader.NextMessagePackType == MessagePackType.Binary ? reader.ReadBytes() : reader.ReadStringSequence();
            bytes = entries?.Length ?? 0;
            int pairs = reader.ReadMapHeader();
            for (int i = 0; i < pairs; i++)
            {
                var key = reader.ReadString();
                if (key == "size") events = reader.ReadInt64();
                else if (key == "chunk")
                {
                    var id = reader.ReadStringSequence()!.Value;
                    var reply = new ArrayBufferWriter<byte>(64);
                    var writer = new MessagePackWriter(reply);
                    writer.WriteMapHeader(1);
                    writer.Write("ack");
                    writer.WriteStringHeader((int)id.Length);
                    writer.WriteRaw(id);
                    writer.Flush();
                    ack = reply.WrittenSpan.ToArray();
                }
                else reader.Skip();
            }
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        Interlocked.Add(ref _events, events);
        Interlocked.Add(ref _entryBytes, bytes);
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accept;
        Task[] connections;
        lock (_connections) connections = _connections.ToArray();
        await Task.WhenAll(connections);
    }
}
