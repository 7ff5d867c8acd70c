using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MessagePack;

namespace LogAgent.Tests.Forward;

/// <summary>
/// A tiny forward server for output tests, written independently of LogAgent's decoder: it reads PackedForward
/// requests with MessagePackReader, records them (and every raw byte per connection), and answers acks as told.
/// </summary>
public sealed class TestForwardReceiver : IAsyncDisposable
{
    public enum AckPolicy { Echo, Never, Wrong }

    public sealed record Request(string Tag, byte EntriesTypeCode, byte[] Entries, Dictionary<string, object?> Options);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly ConcurrentQueue<MemoryStream> _connections = new();
    private readonly Task _accept;

    public TestForwardReceiver(AckPolicy policy = AckPolicy.Echo, int port = 0)
    {
        Policy = policy;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public AckPolicy Policy { get; set; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public IReadOnlyList<Request> Requests => _requests.ToList();
    public int ConnectionCount => _connections.Count;

    /// <summary>Every byte received on each connection so far, in connection order.</summary>
    public IReadOnlyList<byte[]> RawConnections => _connections.Select(m => { lock (m) return m.ToArray(); }).ToList();

    private async Task AcceptAsync()
    {
        var handlers = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                handlers.Add(HandleAsync(client));
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { }
        await Task.WhenAll(handlers);
    }

    private async Task HandleAsync(TcpClient client)
    {
        var raw = new MemoryStream();
        _connections.Enqueue(raw);
        using var _ = client;
        var stream = client.GetStream();
        var pending = new List<byte>();
        var buffer = new byte[65536];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, _stop.Token)) > 0)
            {
                lock (raw) raw.Write(buffer, 0, n);
                pending.AddRange(buffer.AsSpan(0, n).ToArray());
                while (TryParse(pending.ToArray(), out var request, out int used))
                {
                    pending.RemoveRange(0, used);
                    _requests.Enqueue(request);
                    if (request.Options.TryGetValue("chunk", out var chunk) && chunk is string id && Policy != AckPolicy.Never)
                        await stream.WriteAsync(MessagePackSerializer.Serialize(new Dictionary<string, object> { ["ack"] = Policy == AckPolicy.Echo ? id : "not-" + id }), _stop.Token);
                }
            }
        }
        catch (OperationCanceledException) { }
        catch (IOException) { }
    }

    private static bool TryParse(byte[] bytes, out Request request, out int used)
    {
        request = null!;
        used = 0;
        var reader = new MessagePackReader(bytes);
        try
        {
            var probe = reader.CreatePeekReader();
            probe.Skip();
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        Assert.Equal(3, reader.ReadArrayHeader());
        string tag = reader.ReadString()!;
        byte code = reader.NextCode;
        byte[] entries = code == MessagePackCode.Bin32 || code == MessagePackCode.Bin8 || code == MessagePackCode.Bin16
            ? reader.ReadBytes()!.Value.ToArray()
            : reader.ReadStringSequence()!.Value.ToArray();
        var options = new Dictionary<string, object?>();
        int pairs = reader.ReadMapHeader();
        for (int i = 0; i < pairs; i++)
        {
            string key = reader.ReadString()!;
            options[key] = reader.NextMessagePackType switch
            {
                MessagePackType.Integer => reader.ReadInt64(),
                MessagePackType.String => reader.ReadString(),
                _ => Skip(ref reader),
            };
        }
        used = (int)reader.Consumed;
        request = new Request(tag, code, entries, options);
        return true;
    }

    private static object? Skip(ref MessagePackReader reader)
    {
        reader.Skip();
        return null;
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
