using System.Net;
using LogAgent.Core.Forward;
using LogAgent.Core.Net;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Inputs;

/// <summary>
/// fluentd's in_forward: receives events over TCP in every mode of Forward Protocol Specification v1 (Message,
/// Forward, PackedForward, CompressedPackedForward; msgpack or JSON), emits them, and acks a request only after the
/// router accepted its events — <c>Router.Emit</c> returning means they are in every destination's buffer.
/// The protocol lives in <see cref="LogAgent.Core.Forward"/>; this class is configuration and policy.
/// <c>&lt;security&gt;</c> authenticates each connection (<see cref="ForwardHandshake"/>) and <c>&lt;transport tls&gt;</c>
/// encrypts it (<see cref="ForwardTlsServer"/>). The same port answers out_forward's UDP heartbeats
/// (<see cref="ForwardHeartbeatResponder"/>).
/// </summary>
[Plugin(PluginKind.Input, "forward", "Receives events from fluentd, Fluent Bit and fluent-logger clients over the forward protocol (TCP).")]
public sealed class ForwardInput : InputPlugin, IForwardRequestHandler
{
    private TcpServer? _listener;
    private ForwardHeartbeatResponder? _heartbeat;
    private IPAddress _bindAddress = IPAddress.Any;

    [Parameter("port", "The TCP port to listen on.")]
    public int Port { get; set; } = 24224;

    [Parameter("bind", "The address to listen on.")]
    public string Bind { get; set; } = "0.0.0.0";

    [Parameter("backlog", "The listen backlog (pending connections); the system's maximum when unset.")]
    public int? Backlog { get; set; }

    [Parameter("chunk_size_limit", "Requests larger than this are dropped with a warning and not acked.", Kind = ParameterKind.Size)]
    public long? ChunkSizeLimit { get; set; }

    [Parameter("chunk_size_warn_limit", "Requests larger than this are accepted with a warning.", Kind = ParameterKind.Size)]
    public long? ChunkSizeWarnLimit { get; set; }

    // LogAgent's own parameter (fluentd has none): the bound on what one compressed request may inflate to.
    [Parameter("decompressed_size_limit", "LogAgent only: a gzip or zstd request whose entries inflate past this closes its connection, unacked.", Kind = ParameterKind.Size)]
    public long DecompressedSizeLimit { get; set; } = ForwardDecoderOptions.DefaultMaxDecompressedBytes;

    [Parameter("skip_invalid_event", "Drop events whose time is not a time or whose record is not a map, keeping the rest of the request.")]
    public bool SkipInvalidEvent { get; set; }

    [Parameter("source_address_key", "Add the sender's IP address to each record under this key.")]
    public string? SourceAddressKey { get; set; }

    [Parameter("source_hostname_key", "Add the sender's host name (reverse DNS) to each record under this key.")]
    public string? SourceHostnameKey { get; set; }

    [Parameter("resolve_hostname", "Resolve the sender's host name (needed by source_hostname_key, which turns it on).")]
    public bool? ResolveHostname { get; set; }

    [Parameter("add_tag_prefix", "Prefix every received tag with this and a dot.")]
    public string? AddTagPrefix { get; set; }

    [Parameter("deny_keepalive", "Close each connection after its first request (and the ack).")]
    public bool DenyKeepalive { get; set; }

    [Parameter("send_keepalive_packet", "Enable TCP keepalive on accepted connections, to notice dead peers.")]
    public bool SendKeepalivePacket { get; set; }

    [Parameter("request_timeout", "Close a connection whose request is still incomplete this long after it began (a stalled or trickling sender).", Kind = ParameterKind.Time)]
    public double RequestTimeout { get; set; } = ForwardConnectionLimits.DefaultRequestTimeout.TotalSeconds;

    [Parameter("linger_timeout", "Accepted for compatibility; LogAgent closes connections normally.")]
    public int LingerTimeout { get; set; }

    [Section("security", "Authenticate clients with a shared key (and users) before accepting events.")]
    public ForwardInputSecuritySection? Security { get; set; }

    [Section("transport", "<transport tls> encrypts connections with TLS.")]
    public ForwardInputTransportSection? Transport { get; set; }

    /// <summary>The handshake of <c>&lt;security&gt;</c> once started; tests fix its nonce and salt through it.</summary>
    internal ForwardHandshake? Handshake { get; private set; }

    /// <summary>The TLS server of <c>&lt;transport tls&gt;</c> once started.</summary>
    internal ForwardTlsServer? Tls { get; private set; }

    /// <summary>The port actually bound (differs from <see cref="Port"/> when that is 0); 0 before start.</summary>
    public int BoundPort => _listener?.LocalEndPoint?.Port ?? 0;

    /// <summary>Connections currently open.</summary>
    public int ConnectionCount => _listener?.ConnectionCount ?? 0;

    /// <summary>The clock for events sent with time 0 or nil; tests replace it.</summary>
    public Func<EventTime> Now { get; set; } = () => EventTime.Now;

    public override void Configure(ConfigSection config)
    {
        if (AddTagPrefix is { Length: 0 })
            throw new ConfigException("add_tag_prefix must not be empty", config.Find("add_tag_prefix")!);
        if (DecompressedSizeLimit <= 0)
            throw new ConfigException($"decompressed_size_limit must be positive, got {DecompressedSizeLimit}", config.Find("decompressed_size_limit")!);
        _bindAddress = ListenAddress.Resolve(Bind, Port, config);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Certificates are read or generated at start, as fluentd's server helper does; a failure stops the start
        // rather than listen without the encryption the config asks for.
        if (Transport is { IsTls: true } transport) Tls = transport.CreateServer(Log, Context.Hostname);
        // in_forward.rb generate_helo: keepalive is !deny_keepalive.
        Handshake = Security?.ToHandshake(keepalive: !DenyKeepalive);
        var decoderOptions = new ForwardDecoderOptions { SkipInvalidEvent = SkipInvalidEvent, Now = () => Now(), MaxDecompressedBytes = DecompressedSizeLimit };
        var limits = new ForwardConnectionLimits
        {
            MaxRequestBytes = ChunkSizeLimit ?? ForwardConnectionLimits.DefaultMaxRequestBytes,
            ChunkSizeLimit = ChunkSizeLimit,
            ChunkSizeWarnLimit = ChunkSizeWarnLimit,
            DenyKeepalive = DenyKeepalive,
            RequestTimeout = TimeSpan.FromSeconds(RequestTimeout),
        };
        _listener = new TcpServer("forward",
            (socket, stopping) => new ForwardConnection(socket, decoderOptions, limits, this, Log, Tls, Handshake).RunAsync(stopping), Log);
        _listener.Start(_bindAddress, Port, Backlog, socket =>
        {
            socket.NoDelay = true;
            // send_keepalive_packet: TCP keepalive so half-open connections are noticed.
            if (SendKeepalivePacket) socket.SetSocketOption(System.Net.Sockets.SocketOptionLevel.Socket, System.Net.Sockets.SocketOptionName.KeepAlive, true);
        });
        Log.LogInformation("listening forward{Tls} on {Bind}:{Port}", Tls is null ? "" : " (TLS)", Bind, BoundPort);
        StartHeartbeatResponder();
        return Task.CompletedTask;
    }

    // in_forward.rb creates the UDP heartbeat server on the TCP port unconditionally. When that UDP port is taken the
    // input still serves TCP: senders with heartbeat_type udp then detach it, which the warning explains.
    private void StartHeartbeatResponder()
    {
        var responder = new ForwardHeartbeatResponder(Log);
        try
        {
            responder.Start(_bindAddress, BoundPort);
            _heartbeat = responder;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            Log.LogWarning("cannot answer UDP heartbeats on {Bind}:{Port}: {Error}", Bind, BoundPort, e.Message);
        }
    }

    /// <summary>The UDP port answering heartbeats (the TCP port), 0 when none is bound.</summary>
    public int HeartbeatPort => _heartbeat?.LocalEndPoint?.Port ?? 0;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_heartbeat is not null) await _heartbeat.DisposeAsync();
        _heartbeat = null;
        if (_listener is not null) await _listener.StopAsync().WaitAsync(cancellationToken);
    }

    /// <summary>Emits a decoded request; true (ack) only when the router took every event.</summary>
    public bool Handle(ForwardRequest request, ForwardPeer peer)
    {
        if (request.DropReason is { } reason)
        {
            Log.LogWarning("dropped a request from {Peer}: {Reason} (tag {Tag})", peer, reason, request.Tag);
            return false;
        }
        if (request.SkippedEvents > 0)
            Log.LogWarning("skipped {Count} invalid events from {Peer} (tag {Tag}): {Reason}", request.SkippedEvents, peer, request.Tag, request.SkipReason);
        // The spec's size option is only a hint: npm fluent-logger sends the byte length there (corpus README, checklist 6).
        if (request.Size is { } size && size != request.Events.Count + request.SkippedEvents && Log.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Debug))
            Log.LogDebug("request from {Peer} says size {Size} but holds {Count} events", peer, size, request.Events.Count);

        var events = request.Events;
        if (events.IsEmpty) return true;
        // in_forward.rb: tag = "#{@add_tag_prefix}.#{tag}".
        if (AddTagPrefix is not null) events = events.WithTag(AddTagPrefix + "." + events.Tag);
        if (SourceAddressKey is not null || SourceHostnameKey is not null) events = AddSourceFields(events, peer);
        try
        {
            Context.Router.Emit(events);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.LogError("emit of {Count} events from {Peer} (tag {Tag}) failed, no ack sent: {Error}", events.Count, peer, events.Tag, e.Message);
            return false;
        }
    }

    // in_forward.rb add_source_info: the only path that decodes records, as the records change.
    private EventStream AddSourceFields(EventStream events, ForwardPeer peer)
    {
        var builder = new EventStreamBuilder(events.Tag, events.Entries.Length + events.Count * 32);
        foreach (var entry in events)
        {
            var record = entry.DecodeRecord();
            if (SourceAddressKey is not null) record[SourceAddressKey] = peer.Address;
            if (SourceHostnameKey is not null) record[SourceHostnameKey] = ResolveHostname == false ? peer.Address : peer.Hostname;
            builder.Add(entry.Time, record);
        }
        return builder.Build();
    }
}
