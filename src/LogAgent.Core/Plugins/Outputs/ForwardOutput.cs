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
/// fluentd's out_forward: sends each buffer chunk as one PackedForward request to a <c>&lt;server&gt;</c>, chosen by
/// weight with fail-over to the next server and then to standby servers. The chunk's bytes are the request's entries
/// as they are (a tag-keyed chunk holds exactly PackedForward entries), never decoded. With require_ack_response the
/// write returns only once the server acked the chunk; any failure throws, and the engine retries the chunk.
/// Connections may use TLS and the shared-key handshake (ForwardOutput.Connection.cs).
/// Not yet: heartbeats and the phi accrual failure detector.
/// </summary>
[Plugin(PluginKind.Output, "forward", "Forwards buffered chunks to fluentd, Fluent Bit or LogAgent servers over the forward protocol (TCP).")]
public sealed partial class ForwardOutput : BufferedOutputPlugin
{
    private readonly ConcurrentDictionary<ForwardNode, ConcurrentBag<ForwardSender>> _idle = new();
    private ForwardNodes? _nodes;

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

    [Parameter("recover_wait", "After a server failed, how long other servers are preferred.", Kind = ParameterKind.Time)]
    public double RecoverWait { get; set; } = 10;

    // out_forward.rb: config_section :buffer { config_set_default :chunk_keys, ["tag"] }.
    public override BufferDefaults BufferDefaults => new() { ChunkKeys = "tag" };

    public IReadOnlyList<ForwardNode> Nodes => _nodes?.All ?? Array.Empty<ForwardNode>();

    public override void Configure(ConfigSection config)
    {
        if (Servers.Count == 0)
            throw new ConfigException("forward output plugin requires at least one node is required. Add <server> or <service_discovery>", config);
        _nodes = new ForwardNodes(
            Servers.Select(s => new ForwardNode(s.Name ?? $"{s.Host}:{s.Port}", s.Host, s.Port, s.Weight, s.Standby)),
            TimeSpan.FromSeconds(RecoverWait));
        ConfigureConnections(config);
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
        var frame = PackedForwardFrame.Create(tag, entries, count, Compress == "gzip", chunkId);
        var failures = new List<string>();
        foreach (var node in _nodes!.Order(DateTimeOffset.UtcNow))
        {
            ForwardSender sender;
            bool reused;
            try
            {
                (sender, reused) = await TakeSenderAsync(node, cancellationToken);
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException)
            {
                // Could not connect: nothing was sent, so the next server may take the chunk.
                _nodes.MarkFailed(node, DateTimeOffset.UtcNow);
                Log.LogWarning("failed to connect to forward server {Node}: {Error}", node, e.Message);
                failures.Add($"{node}: {e.Message}");
                continue;
            }
            try
            {
                await SendOnAsync(sender, frame, cancellationToken);
            }
            catch (Exception e) when (reused && e is IOException or SocketException)
            {
                // A kept connection the server closed meanwhile: one fresh connection to the same server.
                await sender.DisposeAsync();
                sender = await ConnectAsync(node, cancellationToken);
                await SendOrDisposeAsync(node, sender, frame, cancellationToken);
                return;
            }
            catch
            {
                await sender.DisposeAsync();
                _nodes.MarkFailed(node, DateTimeOffset.UtcNow);
                throw;
            }
            await ReleaseAsync(node, sender);
            _nodes.MarkHealthy(node);
            return;
        }
        throw new IOException($"no forward server is available ({string.Join("; ", failures)})");
    }

    private async Task SendOrDisposeAsync(ForwardNode node, ForwardSender sender, PackedForwardFrame frame, CancellationToken cancellationToken)
    {
        try
        {
            await SendOnAsync(sender, frame, cancellationToken);
        }
        catch
        {
            await sender.DisposeAsync();
            _nodes!.MarkFailed(node, DateTimeOffset.UtcNow);
            throw;
        }
        await ReleaseAsync(node, sender);
        _nodes!.MarkHealthy(node);
    }

    private async Task SendOnAsync(ForwardSender sender, PackedForwardFrame frame, CancellationToken cancellationToken)
    {
        await sender.SendAsync(frame, TimeSpan.FromSeconds(SendTimeout), cancellationToken);
        if (frame.ChunkId is { } id) await sender.ReadAckAsync(id, TimeSpan.FromSeconds(AckResponseTimeout), cancellationToken);
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

    public override async Task ShutdownAsync(CancellationToken cancellationToken)
    {
        foreach (var bag in _idle.Values)
            while (bag.TryTake(out var sender)) await sender.DisposeAsync();
    }
}
