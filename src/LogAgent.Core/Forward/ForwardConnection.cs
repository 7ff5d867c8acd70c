using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Forward;

/// <summary>
/// One accepted forward connection: reads bytes through a pipe, cuts and decodes requests with a
/// <see cref="ForwardMessageDecoder"/>, hands them to the <see cref="IForwardRequestHandler"/>, and writes the ack when
/// the handler accepted a request that asked for one. A malformed request closes this connection only, with one
/// log line naming the peer and the reason; the sender then resends what was not acked.
/// </summary>
public sealed class ForwardConnection
{
    private readonly Socket _socket;
    private readonly ForwardMessageDecoder _decoder;
    private readonly ForwardConnectionLimits _limits;
    private readonly IForwardRequestHandler _handler;
    private readonly ILogger _log;

    public ForwardConnection(Socket socket, ForwardDecoderOptions decoderOptions, ForwardConnectionLimits limits,
        IForwardRequestHandler handler, ILogger log)
    {
        _socket = socket;
        _decoder = new ForwardMessageDecoder(decoderOptions, limits.MaxRequestBytes);
        _limits = limits;
        _handler = handler;
        _log = log;
        Peer = new ForwardPeer(socket.RemoteEndPoint);
    }

    public ForwardPeer Peer { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        // Zero-byte reads: an idle connection waits for data without holding a 64 KiB buffer, so a thousand idle
        // keepalive connections cost kilobytes, not 64 MiB.
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true, useZeroByteReads: true));
        // Armed while the rest of a begun request is awaited (not while the agent handles earlier ones): a sender that
        // trickles a request, or announces bytes that never come, is closed when it expires.
        using var requestDeadline = new CancellationTokenSource();
        using var readCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, requestDeadline.Token);
        bool armed = false;
        long pendingBytes = 0;
        _log.LogTrace("accepted forward connection from {Peer}", Peer);
        try
        {
            while (true)
            {
                if (pendingBytes > 0 && !armed)
                {
                    requestDeadline.CancelAfter(_limits.RequestTimeout);
                    armed = true;
                }
                var result = await reader.ReadAsync(readCancel.Token);
                var buffer = result.Buffer;
                bool close = false;
                try
                {
                    while (!close && _decoder.TryCut(ref buffer, out var frame))
                    {
                        if (armed)
                        {
                            requestDeadline.CancelAfter(Timeout.InfiniteTimeSpan);
                            armed = false;
                        }
                        close = await HandleFrameAsync(stream, frame, cancellationToken);
                    }
                    // Whitespace after a JSON request is not the start of another.
                    pendingBytes = _decoder.IsJson == true && ForwardFraming.IsWhitespace(buffer) ? 0 : buffer.Length;
                    if (!close && buffer.Length > _limits.MaxRequestBytes)
                        throw new ForwardProtocolException($"a request is larger than {_limits.MaxRequestBytes} bytes");
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
                if (close) break;
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty && !(_decoder.IsJson == true && ForwardFraming.IsWhitespace(buffer)))
                        _log.LogWarning("forward connection from {Peer} closed in the middle of a request ({Bytes} bytes unread)", Peer, buffer.Length);
                    break;
                }
            }
        }
        catch (ForwardProtocolException e)
        {
            _log.LogWarning("closing forward connection from {Peer}: {Reason}", Peer, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException) when (requestDeadline.IsCancellationRequested)
        {
            _log.LogWarning("closing forward connection from {Peer}: a request was still incomplete {Seconds}s after it began ({Bytes} bytes received)",
                Peer, _limits.RequestTimeout.TotalSeconds, pendingBytes);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            _log.LogDebug("forward connection from {Peer} failed: {Error}", Peer, e.Message);
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    // Returns true when the connection must close afterwards (deny_keepalive).
    private async Task<bool> HandleFrameAsync(Stream stream, ReadOnlySequence<byte> frame, CancellationToken cancellationToken)
    {
        if (_limits.ChunkSizeLimit is { } limit && frame.Length > limit)
        {
            // in_forward.rb on_message: the request is dropped, not acked, and the connection kept.
            _log.LogWarning("Input chunk size is larger than 'chunk_size_limit', dropped: host={Peer} limit={Limit} size={Size}", Peer, limit, frame.Length);
            return _limits.DenyKeepalive;
        }
        if (_limits.ChunkSizeWarnLimit is { } warn && frame.Length > warn)
            _log.LogWarning("Input chunk size is larger than 'chunk_size_warn_limit': host={Peer} limit={Limit} size={Size}", Peer, warn, frame.Length);

        var request = _decoder.Decode(frame);
        if (request is null) return _limits.DenyKeepalive;
        if (_handler.Handle(request, Peer) && request.Chunk is { } chunk)
            await stream.WriteAsync(ForwardAck.Encode(chunk, _decoder.IsJson == true), cancellationToken);
        return _limits.DenyKeepalive;
    }
}
