using System.Buffers;
using System.Net.Sockets;

namespace LogAgent.Core.Forward;

/// <summary>
/// One client connection to a forward server: connect within a timeout, send a request within send_timeout, and read
/// the ack response within ack_response_timeout. Every failure is an exception, so the caller (the output's write)
/// fails and the buffer retries the chunk.
/// </summary>
public sealed class ForwardSender : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly ArrayBufferWriter<byte> _received = new(256);

    private ForwardSender(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public DateTimeOffset LastUsed { get; private set; } = DateTimeOffset.UtcNow;

    public static async Task<ForwardSender> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(host, port, deadline.Token);
            return new ForwardSender(client);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new TimeoutException($"connecting to {host}:{port} took longer than {timeout.TotalSeconds}s");
        }
        catch
        {
            client.Dispose();
            throw;
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
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
