using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Forward;

/// <summary>
/// One accepted forward connection: reads bytes through a pipe, cuts and decodes requests with a
/// <see cref="ForwardMessageDecoder"/>, hands them to the <see cref="IForwardRequestHandler"/>, and writes the ack when
/// the handler accepted a request that asked for one. A malformed request closes this connection only, with one
/// log line naming the peer and the reason; the sender then resends what was not acked.
/// With TLS the bytes pass through an <see cref="SslStream"/> first; with <c>&lt;security&gt;</c> the connection starts
/// with HELO and its first request must be a valid PING (<see cref="ForwardHandshake"/>).
/// </summary>
public sealed class ForwardConnection
{
    private readonly Socket _socket;
    private readonly ForwardMessageDecoder _decoder;
    private readonly ForwardConnectionLimits _limits;
    private readonly IForwardRequestHandler _handler;
    private readonly ILogger _log;
    private readonly ForwardTlsServer? _tls;
    private readonly ForwardHandshake? _handshake;
    private ForwardHandshake.Session? _session;

    public ForwardConnection(Socket socket, ForwardDecoderOptions decoderOptions, ForwardConnectionLimits limits,
        IForwardRequestHandler handler, ILogger log, ForwardTlsServer? tls = null, ForwardHandshake? handshake = null)
    {
        _tls = tls;
        _handshake = handshake;
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
        await using var network = new NetworkStream(_socket, ownsSocket: true);
        var stream = await SecureAsync(network, cancellationToken);
        if (stream is null) return;
        await using var _ = stream == network ? null : stream;
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
        bool rejected = false;
        try
        {
            if (_session is not null) await stream.WriteAsync(_session.Helo, cancellationToken);
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
                        if (_session is { IsEstablished: false })
                            close = rejected = !await HandshakeAsync(stream, frame, cancellationToken);
                        else
                            close = await HandleFrameAsync(stream, frame);
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
            if (rejected) await LingerAsync(stream, reader);
            await reader.CompleteAsync();
        }
    }

    // TLS first (server.rb wraps the socket before any protocol byte), then the HELO is prepared. Null when the TLS
    // handshake failed: logged here, the connection is closed by the caller's dispose.
    private async Task<Stream?> SecureAsync(NetworkStream network, CancellationToken cancellationToken)
    {
        Stream stream = network;
        if (_tls is not null)
        {
            try
            {
                stream = await _tls.AuthenticateAsync(network, cancellationToken);
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or SocketException)
            {
                _log.LogWarning("TLS handshake with forward client {Peer} failed: {Reason}", Peer, e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
                return null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return null;
            }
        }
        _session = _handshake?.Begin(Peer);
        return stream;
    }

    // Returns false when the PING failed: the PONG saying why has been sent and the connection must close.
    private async Task<bool> HandshakeAsync(Stream stream, ReadOnlySequence<byte> frame, CancellationToken cancellationToken)
    {
        var result = _session!.Check(frame);
        await stream.WriteAsync(result.Pong, cancellationToken);
        if (result.Success)
        {
            _log.LogDebug("forward connection from {Peer} authenticated", Peer);
            return true;
        }
        _log.LogWarning("forward handshake with {Peer} failed: {Reason}; {Detail}", Peer, result.Reason, result.Detail);
        return false;
    }

    // After a refused PING, fluentd closes once the PONG is written (close_after_write_complete). Closing a socket
    // with unread bytes sends RST, which can destroy the PONG at the client, so the send side is shut first and what
    // the client still sends is read and dropped until it closes, for a short while at most.
    private async Task LingerAsync(Stream stream, PipeReader reader)
    {
        try
        {
            if (stream is SslStream ssl) await ssl.ShutdownAsync();
            _socket.Shutdown(SocketShutdown.Send);
            using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (true)
            {
                var result = await reader.ReadAsync(linger.Token);
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    // Returns true when the connection must close afterwards (deny_keepalive).
    private async Task<bool> HandleFrameAsync(Stream stream, ReadOnlySequence<byte> frame)
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
        // Once the events are emitted the ack must go out even when the agent is stopping (a reload stops the input
        // right now): a request emitted but not acked would be sent again by the client, a duplicate. Requests not
        // yet read when the stop came are not handled at all, so the client resends exactly those.
        if (_handler.Handle(request, Peer) && request.Chunk is { } chunk)
            await stream.WriteAsync(ForwardAck.Encode(chunk, _decoder.IsJson == true), CancellationToken.None);
        return _limits.DenyKeepalive;
    }
}
