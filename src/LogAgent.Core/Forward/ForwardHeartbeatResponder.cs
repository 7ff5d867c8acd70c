using System.Net;
using System.Net.Sockets;
using LogAgent.Core.Net;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Forward;

/// <summary>
/// The UDP side of the forward input (in_forward.rb in_forward_server_udp_heartbeat): a UDP socket on the same port as
/// the TCP listener that answers every datagram with one zero byte, sent back to the sender from that port. The
/// content of the datagram is not looked at (fluentd does not either; out_forward sends <c>00</c>). The corpus's
/// fd-server-plain.udp.jsonl shows real in_forward doing exactly this. Across a graceful reload the bound socket is
/// parked in the <see cref="ListenerHandover"/> like the TCP listener, so the port stays taken by the agent.
/// </summary>
public sealed class ForwardHeartbeatResponder : IAsyncDisposable
{
    // in_forward.rb reads at most 128 bytes (max_bytes: 128) and replies whatever the datagram was. A buffer that
    // holds any datagram keeps a long one from surfacing as a MessageSize error that would lose the sender's address.
    private const int MaxBytes = 65536;

    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _socket;
    private Task? _loop;
    private IPAddress _address = IPAddress.Any;
    private int _port;

    public ForwardHeartbeatResponder(ILogger log) => _log = log;

    /// <summary>Where the socket is bound; null before start.</summary>
    public IPEndPoint? LocalEndPoint => _socket?.LocalEndPoint as IPEndPoint;

    public void Start(IPAddress address, int port)
    {
        _address = address;
        _port = port;
        var socket = ListenerHandover.Shared.TryTake(SocketType.Dgram, address, port) ?? Bind(address, port);
        _socket = socket;
        _loop = Task.Run(() => RunAsync(socket, _stop.Token));
    }

    private static Socket Bind(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
    }

    private async Task RunAsync(Socket socket, CancellationToken stopping)
    {
        var buffer = new byte[MaxBytes];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping);
                _log.LogTrace("heartbeat udp data arrived from {Peer} ({Bytes} bytes)", received.RemoteEndPoint, received.ReceivedBytes);
                await socket.SendToAsync(ForwardHeartbeat.UdpPayload, SocketFlags.None, received.RemoteEndPoint, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // A reply to a sender that went away comes back as ICMP (ConnectionReset on the next receive); it does
                // not stop the responder. fluentd logs these at trace too.
                _log.LogTrace("heartbeat udp: {Error}", e.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (ListenerHandover.Shared.IsHolding)
        {
            if (_loop is not null) await _loop;
            if (_socket is not null && !ListenerHandover.Shared.TryPark(_socket, _address, _port)) _socket.Dispose();
        }
        else
        {
            _socket?.Dispose();
            if (_loop is not null) await _loop;
        }
        _stop.Dispose();
    }
}
