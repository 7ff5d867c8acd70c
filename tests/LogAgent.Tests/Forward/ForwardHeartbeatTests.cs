using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using LogAgent.Core.Plugins.Outputs;
using LogAgent.Tests.Support;
using MessagePack;

namespace LogAgent.Tests.Forward;

/// <summary>
/// Heartbeats on the wire: in_forward's UDP responder against the bytes real fluentd exchanged, out_forward's UDP and
/// transport heartbeats, and what they do to server availability and to where writes go (standby take-over and return).
/// Fast settings (heartbeat_interval 0.1s, phi_threshold 2: a silent server is detached after about 3.7 s, see
/// PhiAccrualFailureDetectorTests) keep the tests short; every wait is a condition with a deadline.
/// </summary>
public class ForwardHeartbeatTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static readonly (string, string)[] Fast =
    {
        ("heartbeat_interval", "0.1"), ("phi_threshold", "2"), ("recover_wait", "0.5"), ("connect_timeout", "1"),
    };

    private static byte[] Entries() => MessagePackSerializer.Serialize(new object[] { 1, new Dictionary<string, object> { ["k"] = "v" } });

    private static Task Write(ForwardOutput output, int chunks) =>
        Task.WhenAll(Enumerable.Range(0, chunks).Select(_ => output.WriteAsync(new TestChunk("hb.test", Entries(), 1), CancellationToken.None)));

    // Without acks a write returns once the bytes are sent; the receiver counts them a moment later.
    private static Task Arrived(Func<int> count, int expected) =>
        Eventually.True(() => count() >= expected, Deadline, () => $"{count()} of {expected} requests");

    /// <summary>The datagram payloads fluentd's out_forward sent (fd-heartbeat-udp.udp.jsonl, one hex string per datagram).</summary>
    private static IEnumerable<byte[]> CapturedHeartbeats(string file, string key) =>
        File.ReadAllLines(ForwardCorpus.PathOf(file)).Where(l => l.Length > 0)
            .Select(l => Convert.FromHexString(JsonDocument.Parse(l).RootElement.GetProperty(key).GetString()!));

    [Fact]
    public async Task The_forward_input_answers_each_captured_udp_heartbeat_with_00_from_its_own_port()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        Assert.Equal(harness.Port, harness.Input.HeartbeatPort);
        var expectedReply = CapturedHeartbeats("fd-server-plain.udp.jsonl", "reply_hex").Distinct(new BytesComparer()).Single();
        var sent = CapturedHeartbeats("fd-heartbeat-udp.udp.jsonl", "hex").ToList();
        Assert.Equal(5, sent.Count);
        Assert.Equal(ForwardCorpus.Bytes("fd-heartbeat-udp.udp.bin"), sent.SelectMany(b => b).ToArray());

        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        foreach (var datagram in sent)
        {
            await client.SendAsync(datagram, new IPEndPoint(IPAddress.Loopback, harness.Port));
            using var timeout = new CancellationTokenSource(Deadline);
            var reply = await client.ReceiveAsync(timeout.Token);
            Assert.Equal(expectedReply, reply.Buffer);
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, harness.Port), reply.RemoteEndPoint);
        }
        Assert.Empty(harness.Output.Events);
    }

    [Fact]
    public async Task Udp_heartbeats_are_the_00_datagrams_fluentd_sends_and_a_server_that_stops_replying_is_detached()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)server.LocalEndPoint!).Port;
        var captured = CapturedHeartbeats("fd-heartbeat-udp.udp.jsonl", "hex").ToList();
        var output = ForwardOutputTests.Build(port, Fast.Append(("heartbeat_type", "udp")).ToArray());
        await output.StartAsync(CancellationToken.None);
        try
        {
            var node = output.Nodes.Single();
            var buffer = new byte[64];
            for (int i = 0; i < 10; i++)
            {
                using var timeout = new CancellationTokenSource(Deadline);
                var got = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), timeout.Token);
                Assert.Equal(captured[i % captured.Count], buffer.AsSpan(0, got.ReceivedBytes).ToArray());
                await server.SendToAsync(new byte[] { 0 }, SocketFlags.None, got.RemoteEndPoint);
            }
            Assert.True(node.Available);
            Assert.True(node.Failure.SampleSize > 5, $"replies counted as heartbeats: {node.Failure.SampleSize} samples");

            // No more replies: the failure detector gives up on the server.
            await Eventually.True(() => !node.Available, Deadline, () => $"phi {node.Failure.Phi(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0)}");
        }
        finally
        {
            await output.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Udp_heartbeats_to_a_LogAgent_forward_input_keep_the_server_available()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var output = ForwardOutputTests.Build(harness.Port, Fast.Append(("heartbeat_type", "udp")).ToArray());
        await output.StartAsync(CancellationToken.None);
        try
        {
            var node = output.Nodes.Single();
            await Eventually.True(() => node.Failure.SampleSize >= 20, Deadline, () => $"{node.Failure.SampleSize} replies");
            Assert.True(node.Available);
        }
        finally
        {
            await output.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_transport_heartbeat_detaches_a_dead_server_without_sending_any_data()
    {
        await using var live = new TestForwardReceiver();
        var output = ForwardOutputTests.Build(new[] { ("127.0.0.1", ForwardOutputTests.DeadPort(), "name=dead"), ("127.0.0.1", live.Port, "name=live") }, Fast);
        await output.StartAsync(CancellationToken.None);
        try
        {
            var dead = output.Nodes.Single(n => n.Name == "dead");
            var alive = output.Nodes.Single(n => n.Name == "live");
            await Eventually.True(() => !dead.Available, Deadline, () => "dead server still available");
            Assert.True(alive.Available);
            // Heartbeats were connections, and not one byte went over them.
            Assert.True(live.ConnectionCount >= 5, $"{live.ConnectionCount} heartbeat connections");
            Assert.All(live.RawConnections, raw => Assert.Empty(raw));
            Assert.Empty(live.Requests);
            Assert.DoesNotContain(dead, output.LoadBalancer.WeightArray.Where(n => n.Available));
        }
        finally
        {
            await output.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Standby_takes_over_when_the_primaries_die_and_traffic_returns_to_them_when_they_are_back()
    {
        var p1 = new TestForwardReceiver();
        var p2 = new TestForwardReceiver();
        await using var standby = new TestForwardReceiver();
        int port1 = p1.Port, port2 = p2.Port;
        var output = ForwardOutputTests.Build(new[]
        {
            ("127.0.0.1", port1, "name=p1"), ("127.0.0.1", port2, "name=p2"), ("127.0.0.1", standby.Port, "name=s;standby=true"),
        }, Fast);
        await output.StartAsync(CancellationToken.None);
        try
        {
            var primaries = output.Nodes.Where(n => !n.Standby).ToList();
            await Write(output, 6);
            await Arrived(() => p1.Requests.Count + p2.Requests.Count, 6);
            Assert.Empty(standby.Requests);

            await p1.DisposeAsync();
            await p2.DisposeAsync();
            await Eventually.True(() => primaries.All(n => !n.Available), Deadline, () => "primaries still available");
            await Write(output, 4);
            await Arrived(() => standby.Requests.Count, 4);

            p1 = new TestForwardReceiver(port: port1);
            p2 = new TestForwardReceiver(port: port2);
            await Eventually.True(() => primaries.All(n => n.Available), Deadline, () => "primaries not recovered");
            await Write(output, 6);
            await Arrived(() => p1.Requests.Count + p2.Requests.Count, 6);
            Assert.Equal(4, standby.Requests.Count);
            Assert.DoesNotContain(output.Nodes.Single(n => n.Standby), output.LoadBalancer.WeightArray);
        }
        finally
        {
            await output.StopAsync(CancellationToken.None);
            await p1.DisposeAsync();
            await p2.DisposeAsync();
        }
    }

    [Fact]
    public void Dns_round_robin_with_udp_heartbeats_is_a_config_error_in_fluentds_words()
    {
        var e = Assert.Throws<LogAgent.Sdk.Config.ConfigException>(() =>
            ForwardOutputTests.Build(24224, ("heartbeat_type", "udp"), ("dns_round_robin", "true")));
        Assert.Contains("forward output heartbeat type must be 'transport' or 'none' to use dns_round_robin option", e.Message);
    }

    [Fact]
    public void A_server_name_that_does_not_resolve_fails_the_config_unless_network_errors_at_startup_are_ignored()
    {
        var servers = new[] { ("no-such-host.invalid", 24224, "") };
        Assert.Throws<LogAgent.Sdk.Config.ConfigException>(() => ForwardOutputTests.Build(servers));
        var output = ForwardOutputTests.Build(servers, ("ignore_network_errors_at_startup", "true"));
        Assert.False(output.Nodes.Single().Available);
        // heartbeat_type none never resolves at configure (out_forward.rb skips validate_host_resolution!).
        Assert.True(ForwardOutputTests.Build(servers, ("heartbeat_type", "none")).Nodes.Single().Available);
    }

    [Fact]
    public void Expire_dns_cache_0_resolves_every_time_and_unset_caches()
    {
        var cached = ForwardOutputTests.Build(new[] { ("localhost", 24224, "") }).Nodes.Single();
        var now = DateTimeOffset.UtcNow;
        Assert.Same(cached.Resolve(now), cached.Resolve(now.AddHours(1)));
        var uncached = ForwardOutputTests.Build(new[] { ("localhost", 24224, "") }, ("expire_dns_cache", "0")).Nodes.Single();
        Assert.NotSame(uncached.Resolve(now), uncached.Resolve(now));
        var ttl = ForwardOutputTests.Build(new[] { ("localhost", 24224, "") }, ("expire_dns_cache", "5")).Nodes.Single();
        var first = ttl.Resolve(now);
        Assert.Same(first, ttl.Resolve(now.AddSeconds(4)));
        Assert.NotSame(first, ttl.Resolve(now.AddSeconds(6)));
    }

    private sealed class BytesComparer : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj) => obj.Length;
    }
}
