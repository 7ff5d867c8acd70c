using LogAgent.Core.Forward;
using LogAgent.Tests.Support;
using MessagePack;

namespace LogAgent.Tests.Forward;

/// <summary>
/// Server choice as fluentd's LoadBalancer (lib/fluent/plugin/out_forward/load_balancer.rb and
/// test/plugin/out_forward/test_load_balancer.rb): the weight array, detached servers skipped, standby servers
/// taking over lost weight, and the share of real writes.
/// </summary>
public class ForwardLoadBalancerTests
{
    private const double T0 = 1_700_000_000;

    private static ForwardNode Node(string name, int weight = 60, bool standby = false) =>
        new(name, "127.0.0.1", 1, weight, standby, new ForwardNodeHealthOptions { PhiThreshold = 0 }, now: T0);

    private static void Detach(ForwardNode node) => node.Disable();

    [Fact]
    public void The_weight_array_holds_each_server_weight_over_gcd_times_repeated_to_six_per_server()
    {
        var a = Node("a", 60);
        var b = Node("b", 30);
        var lb = new ForwardLoadBalancer(seed: 1);
        lb.Rebuild(new[] { a, b });
        // gcd 30 -> [a, a, b]; coe = 2 * 6 / 3 = 4 -> 12 entries.
        Assert.Equal(12, lb.WeightArray.Count);
        Assert.Equal(8, lb.WeightArray.Count(n => n == a));
        Assert.Equal(4, lb.WeightArray.Count(n => n == b));
    }

    [Fact]
    public void A_server_with_weight_0_is_never_chosen()
    {
        var a = Node("a", 60);
        var z = Node("z", 0);
        var lb = new ForwardLoadBalancer(seed: 1);
        lb.Rebuild(new[] { a, z });
        Assert.DoesNotContain(z, lb.WeightArray);
    }

    [Fact]
    public async Task A_detached_server_is_skipped_as_in_fluentds_select_healthy_node_test()
    {
        var n1 = Node("n1", 1);
        var n2 = Node("n2", 1);
        Detach(n1);
        var lb = new ForwardLoadBalancer();
        lb.Rebuild(new[] { n1, n2 });
        for (int i = 0; i < 10; i++) Assert.Same(n2, await lb.SelectHealthyNodeAsync(_ => Task.CompletedTask));
    }

    [Fact]
    public async Task With_every_server_detached_the_write_fails_with_no_nodes_available()
    {
        var n = Node("n", 1);
        Detach(n);
        var lb = new ForwardLoadBalancer();
        lb.Rebuild(new[] { n });
        var e = await Assert.ThrowsAsync<ForwardNoNodesAvailableException>(() => lb.SelectHealthyNodeAsync(_ => Task.CompletedTask));
        Assert.Equal("no nodes are available", e.Message);
    }

    [Fact]
    public async Task A_failing_server_passes_the_write_to_the_next_and_the_last_error_is_thrown_when_all_fail()
    {
        var a = Node("a");
        var b = Node("b");
        var lb = new ForwardLoadBalancer();
        lb.Rebuild(new[] { a, b });
        Assert.Same(b, await lb.SelectHealthyNodeAsync(n => n == a ? Task.FromException(new IOException("a down")) : Task.CompletedTask));
        var tried = new List<ForwardNode>();
        var e = await Assert.ThrowsAsync<IOException>(() => lb.SelectHealthyNodeAsync(n => { tried.Add(n); throw new IOException($"{n} down"); }));
        Assert.Equal(2, tried.Count); // each server once per write, though the array repeats them
        Assert.Equal($"{tried[^1]} down", e.Message);
    }

    [Fact]
    public void Standby_servers_join_only_while_regular_weight_is_lost_and_leave_when_it_is_back()
    {
        var a = Node("a");
        var b = Node("b");
        var s = Node("s", standby: true);
        var lb = new ForwardLoadBalancer();
        lb.Rebuild(new[] { a, b, s });
        Assert.DoesNotContain(s, lb.WeightArray);

        Detach(a);
        Detach(b);
        lb.Rebuild(new[] { a, b, s });
        Assert.Contains(s, lb.WeightArray);

        // a recovers (11 heartbeats after detach, recover_wait 10 / interval 1)
        for (int i = 1; i <= 11; i++) a.Heartbeat(T0 + i);
        Assert.True(a.Available);
        lb.Rebuild(new[] { a, b, s });
        // load_balancer.rb: standby fills *lost* weight, so it stays while b (weight 60) is still detached.
        Assert.Contains(s, lb.WeightArray);
        for (int i = 1; i <= 11; i++) b.Heartbeat(T0 + i);
        lb.Rebuild(new[] { a, b, s });
        Assert.DoesNotContain(s, lb.WeightArray);
    }

    [Fact]
    public async Task Over_10000_chunks_two_receivers_weighted_60_and_30_get_two_thirds_and_one_third_within_10_percent()
    {
        await using var heavy = new TestForwardReceiver();
        await using var light = new TestForwardReceiver();
        var output = ForwardOutputTests.Build(new[] { ("127.0.0.1", heavy.Port, "weight=60"), ("127.0.0.1", light.Port, "weight=30") },
            ("keepalive", "true"), ("heartbeat_type", "none"));
        var entries = MessagePackSerializer.Serialize(new object[] { 1, new Dictionary<string, object> { ["k"] = "v" } });
        const int Chunks = 10_000;
        for (int i = 0; i < Chunks; i++) await output.WriteAsync(new TestChunk("lb.test", entries, 1), CancellationToken.None);
        await Eventually.True(() => heavy.Requests.Count + light.Requests.Count == Chunks, ForwardInputHarness.Deadline,
            () => $"{heavy.Requests.Count} + {light.Requests.Count} of {Chunks}");
        await output.ShutdownAsync(CancellationToken.None);

        double heavyShare = heavy.Requests.Count / (double)Chunks;
        Assert.InRange(heavyShare, 2 / 3.0 * 0.9, 2 / 3.0 * 1.1);
        Assert.InRange(light.Requests.Count / (double)Chunks, 1 / 3.0 * 0.9, 1 / 3.0 * 1.1);
    }
}
