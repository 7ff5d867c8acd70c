using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using LogAgent.Core.Forward;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// fluentd's out_forward: sends each buffer chunk as one PackedForward request to a <c>&lt;server&gt;</c>. The chunk's
/// bytes are the request's entries as they are (a tag-keyed chunk holds exactly PackedForward entries), never decoded.
/// With require_ack_response the write returns only once the server acked the chunk; any failure throws, and the
/// engine retries the chunk.
/// Which server: <see cref="ForwardLoadBalancer"/> (weights, standby) over the servers that
/// <see cref="ForwardHeartbeat"/> and each <see cref="ForwardNode"/>'s phi accrual failure detector keep available.
/// Connections may use TLS and the shared-key handshake (ForwardOutput.Connection.cs).
/// </summary>
[Plugin(PluginKind.Output, "forward", "Forwards buffered chunks to fluentd, Fluent Bit or LogAgent servers over the forward protocol (TCP).")]
public sealed partial class ForwardOutput : BufferedOutputPlugin
{
    private readonly ConcurrentDictionary<ForwardNode, ConcurrentBag<ForwardSender>> _idle = new();
    private readonly List<ForwardNode> _nodes = new();
    private readonly ForwardLoadBalancer _balancer = new();
    private ForwardNodeHealthOptions _health = new();
    private ForwardHeartbeat? _heartbeat;

    [Section("server", "A destination server; at least one is required.")]
    public List<ForwardServerSection> Servers { get; set; } = new();

    [Parameter("send_timeout", "How long sending one chunk may take.", Kind = ParameterKind.Time)]
    public double SendTimeout { get; set; } = 60;

    [Parameter("connect_timeout", "How long connecting may take; send_timeout when unset.", Kind = ParameterKind.Time)]
    public double? ConnectTimeout { get; set; }

    [Parameter("require_ack_response", "Wait for the server's ack of each chunk (at-least-once delivery).")]
    public bool RequireAckResponse { get; set; }

    [Parameter("ack_response_timeout", "How long to wait for an ack before the write fails and the chunk is retried.", Kind = ParameterKind.Time)]
    public double AckResponseTimeout { get; set; } = 190;

    [Parameter("compress", "Send entries as they are (text) or gzip-compressed (CompressedPackedForward).", AllowedValues = new[] { "text", "gzip" })]
    public string Compress { get; set; } = "text";

    [Parameter("keepalive", "Keep connections open between writes.")]
    public bool Keepalive { get; set; }

    [Parameter("keepalive_timeout", "Close a kept connection unused for this long (unset: never).", Kind = ParameterKind.Time)]
    public double? KeepaliveTimeout { get; set; }

    [Parameter("heartbeat_type", "How servers are checked: transport (a connection), udp (a 00 datagram), none; tcp is an old name for transport.",
        AllowedValues = new[] { "transport", "tcp", "udp", "none" })]
    public string HeartbeatType { get; set; } = "transport";

    [Parameter("heartbeat_interval", "How often each server gets a heartbeat.", Kind = ParameterKind.Time)]
    public double HeartbeatInterval { get; set; } = 1;

    [Parameter("phi_failure_detector", "Detach a server when the phi accrual failure detector suspects it.")]
    public bool PhiFailureDetector { get; set; } = true;

    [Parameter("phi_threshold", "The phi above which a server is detached (tuned for heartbeat_interval 1s).")]
    public int PhiThreshold { get; set; } = 16;

    [Parameter("hard_timeout", "Detach a server that sent no heartbeat for this long.", Kind = ParameterKind.Time)]
    public double HardTimeout { get; set; } = 60;

    [Parameter("recover_wait", "How long a detached server must answer heartbeats before it takes writes again.", Kind = ParameterKind.Time)]
    public double RecoverWait { get; set; } = 10;

    [Parameter("expire_dns_cache", "Resolve server names again after this long (0: every time; unset: until the server is detached).", Kind = ParameterKind.Time)]
    public double? ExpireDnsCache { get; set; }

    [Parameter("dns_round_robin", "Pick one of a name's addresses at random instead of the first (not with heartbeat_type udp).")]
    public bool DnsRoundRobin { get; set; }

    [Parameter("ignore_network_errors_at_startup", "A server name that does not resolve at startup detaches that server instead of failing the config.")]
    public bool IgnoreNetworkErrorsAtStartup { get; set; }

    // out_forward.rb: config_section :buffer { config_set_default :chunk_keys, ["tag"] }.
    public override BufferDefaults BufferDefaults => new() { ChunkKeys = "tag" };

    public IReadOnlyList<ForwardNode> Nodes => _nodes;

    /// <summary>The load balancer's current rotation, for tests and diagnostics.</summary>
    public ForwardLoadBalancer LoadBalancer => _balancer;

    /// <summary>The clock heartbeats and the failure detectors read; tests replace it.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    private double NowSeconds => Now().ToUnixTimeMilliseconds() / 1000.0;

    public override void Configure(ConfigSection config)
    {
        if (Servers.Count == 0)
            throw new ConfigException("forward output plugin requires at least one node is required. Add <server> or <service_discovery>", config);
        if (HeartbeatInterval <= 0)
            throw new ConfigException($"heartbeat_interval must be positive, got {HeartbeatInterval}", config.Find("heartbeat_interval")!);
        var type = HeartbeatType switch
        {
            "udp" => ForwardHeartbeatType.Udp,
            "none" => ForwardHeartbeatType.None,
            _ => ForwardHeartbeatType.Transport,
        };
        if (HeartbeatType == "tcp") Log.LogWarning("'heartbeat_type tcp' is deprecated. use 'transport' instead.");
        if (DnsRoundRobin && type == ForwardHeartbeatType.Udp)
            throw new ConfigException("forward output heartbeat type must be 'transport' or 'none' to use dns_round_robin option", config.Find("dns_round_robin")!);
        if (!Keepalive && KeepaliveTimeout is not null)
            Log.LogWarning("The value of keepalive_timeout is ignored. if you want to use keepalive, please add `keepalive true` to your conf.");
        _health = new ForwardNodeHealthOptions
        {
            HeartbeatType = type,
            HeartbeatInterval = HeartbeatInterval,
            HardTimeout = HardTimeout,
            PhiFailureDetector = PhiFailureDetector,
            PhiThreshold = PhiThreshold,
            RecoverWait = RecoverWait,
            ExpireDnsCache = ExpireDnsCache,
            DnsRoundRobin = DnsRoundRobin,
        };
        _nodes.Clear();
        foreach (var (server, section) in Servers.Zip(config.SectionsNamed("server")))
        {
            var node = new ForwardNode(server.Name ?? $"{server.Host}:{server.Port}", server.Host, server.Port, server.Weight, server.Standby, _health);
            if (type != ForwardHeartbeatType.None) ValidateHostResolution(node, section);
            _nodes.Add(node);
        }
        _balancer.Rebuild(_nodes);
        ConfigureConnections(config);
    }

    // out_forward.rb configure: validate_host_resolution!, or with ignore_network_errors_at_startup a warning and a
    // disabled node that heartbeats bring back once the name resolves.
    private void ValidateHostResolution(ForwardNode node, ConfigSection section)
    {
        try
        {
            node.Resolve(Now());
        }
        catch (SocketException e)
        {
            if (!IgnoreNetworkErrorsAtStartup)
            {
                var message = $"forward server '{node.Host}' does not resolve: {e.Message}";
                throw section.Find("host") is { } host ? new ConfigException(message, host) : new ConfigException(message, section);
            }
            Log.LogWarning("failed to resolve node name when configured server={Node}: {Error}", node, e.Message);
            node.Disable();
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _heartbeat = new ForwardHeartbeat(_nodes, _health, HeartbeatConnectAsync, RebuildLoadBalancer, IgnoreNetworkErrorsAtStartup, Now, Log);
        _heartbeat.Start();
        return Task.CompletedTask;
    }

    private async Task HeartbeatConnectAsync(ForwardNode node, System.Net.IPAddress address, CancellationToken cancellationToken)
    {
        // out_forward.rb: "don't send any data to not cause a compatibility problem" — connect, then close.
        await using var sender = await ConnectAsync(node, address, cancellationToken);
    }

    private void RebuildLoadBalancer()
    {
        var before = _balancer.StandbysInUse;
        _balancer.Rebuild(_nodes);
        foreach (var n in _balancer.StandbysInUse.Except(before))
            Log.LogWarning("using standby node {Host}:{Port} weight={Weight}", n.Host, n.Port, n.Weight);
    }

    public override async Task WriteAsync(BufferChunk chunk, CancellationToken cancellationToken)
    {
        if (chunk.EntriesHaveTag)
        {
            // Without tag as a chunk key the entries carry their own tags: one request per tag, in order.
            foreach (var stream in chunk.ToEventStreams())
                await SendAsync(stream.Tag, stream.Entries, stream.Count, ChunkIdOf(chunk), cancellationToken);
            return;
        }
        await SendAsync(chunk.Metadata.Tag ?? "", chunk.ReadEntries(), chunk.RecordCount, ChunkIdOf(chunk), cancellationToken);
    }

    // The ack id is the chunk's 16-byte unique id, base64-encoded (out_forward.rb: Base64.encode64(chunk.unique_id)).
    private byte[]? ChunkIdOf(BufferChunk chunk)
    {
        if (!RequireAckResponse) return null;
        try
        {
            return Convert.FromHexString(chunk.UniqueId);
        }
        catch (FormatException)
        {
            return Encoding.UTF8.GetBytes(chunk.UniqueId);
        }
    }

    private async Task SendAsync(string tag, ReadOnlyMemory<byte> entries, int count, byte[]? chunkId, CancellationToken cancellationToken)
    {
        var frames = PackedForwardFrame.CreateAll(tag, entries, count, Compress == "gzip", chunkId);
        try
        {
            await _balancer.SelectHealthyNodeAsync(node => SendToAsync(node, frames, cancellationToken));
        }
        catch (ForwardNoNodesAvailableException)
        {
            throw new ForwardNoNodesAvailableException($"no forward server is available ({NodeStates()})");
        }
        catch (SocketException e)
        {
            // Every server refused or could not be reached: say so, with the last error as fluentd raises it.
            throw new IOException($"no forward server is available ({NodeStates()}); last error: {e.Message}", e);
        }
    }

    private string NodeStates() => string.Join(", ", _nodes.Select(n => $"{n} {(n.Available ? "available" : "detached")}"));

    private async Task SendToAsync(ForwardNode node, IReadOnlyList<PackedForwardFrame> frames, CancellationToken cancellationToken)
    {
        ForwardSender sender;
        bool reused;
        try
        {
            (sender, reused) = await TakeSenderAsync(node, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException)
        {
            // Nothing was sent: the load balancer offers the chunk to the next server. The node stays attached — only
            // heartbeats (and missing acks) decide that, as in out_forward.rb.
            Log.LogWarning("failed to connect to forward server {Node}: {Error}", node, e.Message);
            throw;
        }
        try
        {
            await SendOnAsync(node, sender, frames, cancellationToken);
        }
        catch (Exception e) when (reused && e is IOException or SocketException)
        {
            // A kept connection the server closed meanwhile: one fresh connection to the same server.
            await sender.DisposeAsync();
            sender = await ConnectAsync(node, cancellationToken);
            await SendOrDisposeAsync(node, sender, frames, cancellationToken);
            return;
        }
        catch
        {
            await sender.DisposeAsync();
            throw;
        }
        await ReleaseAsync(node, sender);
    }

    private async Task SendOrDisposeAsync(ForwardNode node, ForwardSender sender, IReadOnlyList<PackedForwardFrame> frames, CancellationToken cancellationToken)
    {
        try
        {
            await SendOnAsync(node, sender, frames, cancellationToken);
        }
        catch
        {
            await sender.DisposeAsync();
            throw;
        }
        await ReleaseAsync(node, sender);
    }

    private async Task SendOnAsync(ForwardNode node, ForwardSender sender, IReadOnlyList<PackedForwardFrame> frames, CancellationToken cancellationToken)
    {
        // The requests of one chunk go over one connection, each acked (when acks are on) before the next is sent.
        foreach (var frame in frames)
        {
            await sender.SendAsync(frame, TimeSpan.FromSeconds(SendTimeout), cancellationToken);
            if (frame.ChunkId is { } id)
            {
                try
                {
                    await sender.ReadAckAsync(id, TimeSpan.FromSeconds(AckResponseTimeout), cancellationToken);
                }
                catch (Exception e) when (e is TimeoutException or IOException and not ForwardAckMismatchException)
                {
                    // out_forward ack_handler: no ack in time, or the server closed the connection first, "regard it as
                    // unavailable" (node.disable!) until heartbeats show it back; a wrong ack only retries the chunk.
                    Log.LogWarning("no ack from forward server {Node}, regarding it as unavailable: {Error}", node, e.Message);
                    node.Disable();
                    RebuildLoadBalancer();
                    throw;
                }
            }
        }
        // out_forward.rb send_data: heartbeat(false) — a delivered chunk is a sample for the detector, never a recovery.
        node.Heartbeat(NowSeconds, detect: false);
    }

    private TimeSpan ConnectTimeoutSpan => TimeSpan.FromSeconds(ConnectTimeout ?? SendTimeout);

    private async Task<(ForwardSender Sender, bool Reused)> TakeSenderAsync(ForwardNode node, CancellationToken cancellationToken)
    {
        if (Keepalive && _idle.TryGetValue(node, out var bag))
        {
            while (bag.TryTake(out var kept))
            {
                if (KeepaliveTimeout is { } idle && DateTimeOffset.UtcNow - kept.LastUsed > TimeSpan.FromSeconds(idle))
                {
                    await kept.DisposeAsync();
                    continue;
                }
                return (kept, true);
            }
        }
        return (await ConnectAsync(node, cancellationToken), false);
    }

    private async Task ReleaseAsync(ForwardNode node, ForwardSender sender)
    {
        if (Keepalive) _idle.GetOrAdd(node, _ => new ConcurrentBag<ForwardSender>()).Add(sender);
        else await sender.DisposeAsync();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_heartbeat is not null) await _heartbeat.DisposeAsync();
        _heartbeat = null;
    }

    public override async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        if (_heartbeat is not null) await _heartbeat.DisposeAsync();
        _heartbeat = null;
        foreach (var bag in _idle.Values)
            while (bag.TryTake(out var sender)) await sender.DisposeAsync();
    }
}
