using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Forward;

/// <summary>
/// The forward output's heartbeats (out_forward.rb start / on_heartbeat_timer / on_udp_heatbeat_response_recv): every
/// heartbeat_interval each server gets a heartbeat — a connection (transport), or a <c>00</c> datagram whose reply
/// arrives on one shared UDP socket (udp) — and then its <see cref="ForwardNode.Tick"/>. Whenever a server is detached
/// or re-attached the owner is told, so it rebuilds the load balancer.
/// </summary>
public sealed class ForwardHeartbeat : IAsyncDisposable
{
    /// <summary>in_forward.rb / out_forward.rb: the whole UDP heartbeat, request and reply, is one zero byte.</summary>
    public static ReadOnlyMemory<byte> UdpPayload { get; } = new byte[] { 0 };

    private readonly IReadOnlyList<ForwardNode> _nodes;
    private readonly ForwardNodeHealthOptions _options;
    private readonly Func<ForwardNode, IPAddress, CancellationToken, Task> _connect;
    private readonly Action _onAvailabilityChanged;
    private readonly bool _ignoreNetworkErrorsAtStartup;
    private readonly Func<DateTimeOffset> _now;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _udp;
    private Task? _timer;
    private Task? _receiver;

    /// <param name="connect">Opens (and closes) one connection to the server: the transport heartbeat. It is the same
    /// connection setup the writes use, so a handshake the writes need is part of the heartbeat too.</param>
    public ForwardHeartbeat(IReadOnlyList<ForwardNode> nodes, ForwardNodeHealthOptions options,
        Func<ForwardNode, IPAddress, CancellationToken, Task> connect, Action onAvailabilityChanged,
        bool ignoreNetworkErrorsAtStartup, Func<DateTimeOffset> now, ILogger log)
    {
        _nodes = nodes;
        _options = options;
        _connect = connect;
        _onAvailabilityChanged = onAvailabilityChanged;
        _ignoreNetworkErrorsAtStartup = ignoreNetworkErrorsAtStartup;
        _now = now;
        _log = log;
    }

    private double NowSeconds => _now().ToUnixTimeMilliseconds() / 1000.0;

    public void Start()
    {
        if (_options.HeartbeatType == ForwardHeartbeatType.None) return;
        if (_options.HeartbeatType == ForwardHeartbeatType.Udp)
        {
            // out_forward.rb: one UDP socket for every node ("assuming all hosts use udp"), of the first node's family.
            var family = _nodes.Count > 0 && TryResolve(_nodes[0], out var first) ? first.AddressFamily : AddressFamily.InterNetwork;
            _udp = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0));
            _receiver = Task.Run(() => ReceiveRepliesAsync(_udp, _stop.Token));
        }
        _timer = Task.Run(() => RunAsync(_stop.Token));
    }

    private bool TryResolve(ForwardNode node, out IPAddress address)
    {
        try
        {
            address = node.Resolve(_now());
            return true;
        }
        catch (SocketException)
        {
            address = IPAddress.None;
            return false;
        }
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.HeartbeatInterval));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                var changed = await Task.WhenAll(_nodes.Select(n => BeatAsync(n, stopping)));
                if (changed.Any(c => c)) _onAvailabilityChanged();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>One node's heartbeat and tick; true when its availability changed.</summary>
    public async Task<bool> BeatAsync(ForwardNode node, CancellationToken cancellationToken)
    {
        bool changed = false;
        try
        {
            changed = await SendAsync(node, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // out_forward.rb logs failed heartbeats at debug: the failure detector is what turns them into a verdict.
            _log.LogDebug("failed to send heartbeat to {Node} ({Type}): {Error}", node, _options.HeartbeatType, e.Message);
        }
        if (node.Tick(NowSeconds, out var reason))
        {
            _log.LogWarning("detached forwarding server '{Node}' host={Host} port={Port}: {Reason}", node, node.Host, node.Port, reason);
            changed = true;
        }
        return changed;
    }

    private async Task<bool> SendAsync(ForwardNode node, CancellationToken cancellationToken)
    {
        IPAddress address;
        try
        {
            address = node.Resolve(_now());
        }
        catch (SocketException e) when (!node.ResolvedOnce && _ignoreNetworkErrorsAtStartup)
        {
            // out_forward.rb send_heartbeat: a name that never resolved is forgiven with ignore_network_errors_at_startup.
            _log.LogWarning("failed to resolve node name in heartbeating server={Node}: {Error}", node, e.Message);
            return false;
        }
        switch (_options.HeartbeatType)
        {
            case ForwardHeartbeatType.Transport:
                // "successful tcp connection establishment is considered as valid heartbeat" (out_forward.rb).
                await _connect(node, address, cancellationToken);
                return Recovered(node);
            case ForwardHeartbeatType.Udp:
                await _udp!.SendToAsync(UdpPayload, SocketFlags.None, new IPEndPoint(Map(address), node.Port), cancellationToken);
                return false; // the reply, if any, is the heartbeat
            default:
                return false;
        }
    }

    private bool Recovered(ForwardNode node)
    {
        if (!node.Heartbeat(NowSeconds)) return false;
        _log.LogWarning("recovered forwarding server '{Node}' host={Host} port={Port}", node, node.Host, node.Port);
        return true;
    }

    private IPAddress Map(IPAddress address) =>
        _udp!.AddressFamily == AddressFamily.InterNetworkV6 && address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6() : address;

    private async Task ReceiveRepliesAsync(Socket socket, CancellationToken stopping)
    {
        var buffer = new byte[512]; // out_forward.rb read_length
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // ICMP port unreachable from an earlier datagram surfaces here as ConnectionReset; it is not a reply.
                _log.LogTrace("heartbeat socket: {Error}", e.Message);
                continue;
            }
            var from = (IPEndPoint)result.RemoteEndPoint;
            var fromAddress = from.Address.IsIPv4MappedToIPv6 ? from.Address.MapToIPv4() : from.Address;
            // out_forward.rb matches the reply's sender address against each node's resolved sockaddr.
            var node = _nodes.FirstOrDefault(n => n.Port == from.Port && TryResolve(n, out var a) && a.Equals(fromAddress));
            if (node is null)
            {
                _log.LogWarning("Unknown heartbeat response received from {Address}:{Port}", fromAddress, from.Port);
                continue;
            }
            if (Recovered(node)) _onAvailabilityChanged();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _udp?.Dispose();
        if (_timer is not null) await _timer;
        if (_receiver is not null) await _receiver;
        _stop.Dispose();
    }
}
