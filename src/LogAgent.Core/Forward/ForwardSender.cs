using System.Buffers;
using System.Net.Sockets;

namespace LogAgent.Core.Forward;

/// <summary>
/// One client connection to a forward server: connect within a timeout, send a request within send_timeout, and read
/// the ack response within ack_response_timeout. Every failure is an exception, so the caller (the output's write)
/// fails and the buffer retries the chunk. A connection may be wrapped in TLS (<see cref="ForwardTlsClient"/>) and
/// authenticated with HELO/PING/PONG (<see cref="ForwardClientHandshake"/>) before it is handed out.
/// </summary>
public sealed class ForwardSender : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly Stream _stream;
    private readonly ArrayBufferWriter<byte> _received = new(256);

    private ForwardSender(TcpClient client, Stream stream)
    {
        _client = client;
        _stream = stream;
    }

    public DateTimeOffset LastUsed { get; private set; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// Connects, then runs the TLS and forward handshakes when given, all within <paramref name="timeout"/>. A refused
    /// handshake is an <see cref="IOException"/> naming the server and fluentd's reason.
    /// </summary>
    public static async Task<ForwardSender> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken,
        ForwardTlsClient? tls = null, ForwardClientHandshake? handshake = null)
    {
        var client = new TcpClient { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        ForwardSender? sender = null;
        try
        {
            await client.ConnectAsync(host, port, deadline.Token);
            Stream stream = client.GetStream();
            if (tls is not null) stream = await tls.AuthenticateAsync(stream, host, port, deadline.Token);
            sender = new ForwardSender(client, stream);
            if (handshake is not null) await sender.HandshakeAsync(handshake, host, port, deadline.Token);
            return sender;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (sender is not null) await sender.DisposeAsync();
            client.Dispose();
            throw new TimeoutException($"connecting to {host}:{port} took longer than {timeout.TotalSeconds}s");
        }
        catch when (sender is not null)
        {
            await sender.DisposeAsync();
            throw;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // handshake_protocol.rb: HELO is read, PING written, PONG read and checked before any event is sent.
    private async Task HandshakeAsync(ForwardClientHandshake handshake, string host, int port, CancellationToken cancellationToken)
    {
        var session = handshake.Begin();
        try
        {
            var ping = session.Ping(await ReadValueAsync("HELO", cancellationToken));
            await _stream.WriteAsync(ping, cancellationToken);
            session.CheckPong(await ReadValueAsync("PONG", cancellationToken));
        }
        catch (IOException e)
        {
            throw new IOException($"forward handshake with {host}:{port} failed: {e.Message}", e);
        }
    }

    // One whole msgpack value from the server; bytes after it stay in the buffer for the next read.
    private async Task<ReadOnlySequence<byte>> ReadValueAsync(string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            var buffer = new ReadOnlySequence<byte>(_received.WrittenMemory);
            bool complete;
            ReadOnlySequence<byte> value;
            try
            {
                complete = ForwardFraming.TryCutMessagePack(ref buffer, out value);
            }
            catch (ForwardProtocolException e)
            {
                throw new IOException($"the server's {what} is not msgpack: {e.Message}", e);
            }
            if (complete)
            {
                var copy = new ReadOnlySequence<byte>(value.ToArray());
                var rest = buffer.ToArray();
                _received.Clear();
                _received.Write(rest);
                return copy;
            }
            int n = await _stream.ReadAsync(_received.GetMemory(4096), cancellationToken);
            if (n == 0) throw new IOException($"the server closed the connection before its {what}");
            _received.Advance(n);
        }
    }

    public async Task SendAsync(PackedForwardFrame frame, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await frame.WriteToAsync(_stream, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"sending {frame.Length} bytes took longer than send_timeout {timeout.TotalSeconds}s");
        }
        LastUsed = DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// Waits for the response <c>{"ack": id}</c> and checks it echoes <paramref name="chunkId"/> (out_forward's
    /// ack_handler: a different id is a failure). Throws <see cref="TimeoutException"/> when none comes in time.
    /// </summary>
    public async Task ReadAckAsync(byte[] chunkId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var buffer = new ReadOnlySequence<byte>(_received.WrittenMemory);
                if (ForwardAck.TryRead(ref buffer, out var ack))
                {
                    var rest = buffer.ToArray();
                    _received.Clear();
                    _received.Write(rest);
                    if (ack is null) continue;
                    if (!ack.AsSpan().SequenceEqual(chunkId))
                        throw new ForwardAckMismatchException("the ack in the response does not match the chunk id that was sent");
                    LastUsed = DateTimeOffset.UtcNow;
                    return;
                }
                int n = await _stream.ReadAsync(_received.GetMemory(4096), deadline.Token);
                if (n == 0) throw new IOException("the server closed the connection before it acked");
                _received.Advance(n);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no ack within ack_response_timeout {timeout.TotalSeconds}s");
        }
        catch (ForwardProtocolException e)
        {
            // A secured server greets with HELO and refuses the request with PONG: not an ack, and most likely a
            // missing <security> on this side.
            throw new IOException($"the server's response is not an ack ({e.Message}); does it require <security>?", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
