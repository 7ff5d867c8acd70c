using LogAgent.Tests.Forward;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Reload;

/// <summary>
/// Graceful reload (SIGHUP, SIGUSR2) of the real executable: the new config is validated before anything stops, a
/// broken one leaves the old pipeline running, a listening input keeps its port, and no event is lost or duplicated —
/// file buffers are resumed by the new pipeline, memory buffers' leftovers carried into it.
/// </summary>
public class ReloadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    internal static int Occurrences(string text, string what)
    {
        int count = 0;
        for (int i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    /// <summary>Waits until the agent has finished <paramref name="count"/> reloads (done, or failed and kept the old pipeline).</summary>
    internal static Task ReloadsFinished(AgentProcess agent, int count) =>
        Eventually.True(() => Occurrences(agent.Stderr, "reload: reload done") + Occurrences(agent.Stderr, "config reload failed") >= count,
            Deadline, () => $"{count} reloads finished; stderr:\n{agent.Stderr}");

    internal static async Task Started(AgentProcess agent)
    {
        await Eventually.True(() => agent.Stderr.Contains("engine: agent started") || agent.HasExited, Deadline, () => $"the agent started; stderr:\n{agent.Stderr}");
        Assert.False(agent.HasExited, $"the agent exited at start; stderr:\n{agent.Stderr}");
    }

    private static string ForwardSource(int port) => $"""
        <source>
          @type forward
          bind 127.0.0.1
          port {port}
        </source>

        """;

    internal static string FileMatch(string id, string directory, string flushInterval = "0.2") => $$"""
        <match **>
          @type file
          @id {{id}}
          path {{directory}}/${tag}
          append true
          <format>
            @type json
          </format>
          <buffer tag,time>
            @type memory
            timekey 1d
            flush_mode interval
            flush_interval {{flushInterval}}
            flush_thread_interval 0.05
          </buffer>
        </match>
        """;

    /// <summary>
    /// An agent whose forward input feeds a memory buffer for a destination nobody listens on (yet), holding 30 numbered
    /// events tagged <paramref name="tag"/> after at least one failed flush.
    /// </summary>
    private static async Task<AgentProcess> StartWithStrandedMemoryBuffer(string config, int port, int deadPort, string tag)
    {
        File.WriteAllText(config, ForwardSource(port) + DeadForwardMatch(deadPort, "memory", ""));
        var agent = new AgentProcess("-c", config);
        await Started(agent);
        await new NumberedForwardSender(port, tag).SendAsync(30, TimeSpan.Zero, CancellationToken.None);
        await Eventually.True(() => agent.Stderr.Contains("failed to flush the buffer"), Deadline, () => $"a failed flush; stderr:\n{agent.Stderr}");
        return agent;
    }

    private static string DeadForwardMatch(int port, string bufferType, string bufferPath) => $$"""
        <match **>
          @type forward
          @id to_sink
          heartbeat_type none
          connect_timeout 2
          <server>
            host 127.0.0.1
            port {{port}}
          </server>
          <buffer tag>
            @type {{bufferType}}
            {{(bufferType == "file" ? "path " + bufferPath : "")}}
            flush_mode interval
            flush_interval 0.1
            flush_thread_interval 0.05
            retry_forever true
            retry_wait 0.2
            retry_max_interval 1
          </buffer>
        </match>
        """;

    [Fact]
    public async Task Under_load_SIGHUP_switches_the_match_from_sink_A_to_sink_B_and_every_event_arrives_exactly_once_without_a_refused_connection()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        string a = dir.Sub("a"), b = dir.Sub("b");
        var config = dir.File("agent.conf");
        File.WriteAllText(config, ForwardSource(port) + FileMatch("sink_a", a));
        using var agent = new AgentProcess("-c", config);
        await Started(agent);

        // 200 events/s for 8 s, each acked; the reload comes in the middle.
        const int Events = 1600;
        var sender = new NumberedForwardSender(port, "load.test");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var sending = sender.SendAsync(Events, TimeSpan.FromMilliseconds(5), cancel.Token);
        await Eventually.True(() => sender.Acked >= Events / 2 || sending.IsCompleted, Deadline, () => $"{sender.Acked} acked");
        File.WriteAllText(config, ForwardSource(port) + FileMatch("sink_b", b));
        int ackedBeforeReload = sender.Acked;
        agent.Signal(AgentProcess.SIGHUP);
        await sending;
        await ReloadsFinished(agent, 1);

        await Eventually.True(() => DeliveredEvents.InFiles(a).Count + DeliveredEvents.InFiles(b).Count >= Events, Deadline,
            () => $"{DeliveredEvents.InFiles(a).Count} in A + {DeliveredEvents.InFiles(b).Count} in B of {Events}; stderr:\n{agent.Stderr}");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));

        var inA = DeliveredEvents.InFiles(a);
        var inB = DeliveredEvents.InFiles(b);
        // Exactly once: nothing lost, nothing duplicated.
        Assert.Equal(Enumerable.Range(0, Events).Select(n => (long)n), inA.Concat(inB).Order());
        // Everything acked before the signal was delivered by the old pipeline, to A; the switch is one clean cut.
        Assert.All(Enumerable.Range(0, ackedBeforeReload), n => Assert.Contains((long)n, inA));
        Assert.NotEmpty(inB);
        Assert.True(inA.Max() < inB.Min(), $"A ends at {inA.Max()}, B starts at {inB.Min()}");
        Assert.Equal(0, sender.ConnectErrors);
        Assert.Contains("reload: reload done", agent.Stderr);
        output.WriteLine($"{inA.Count} events in A, {inB.Count} in B; {sender.Resends} requests resent, {sender.ConnectErrors} connect errors; " +
                         agent.Stderr.Split('\n').First(l => l.Contains("reload: reload done")));
    }

    [Fact]
    public async Task A_broken_config_on_SIGHUP_leaves_the_old_pipeline_delivering_and_the_log_names_file_and_line()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        string a = dir.Sub("a");
        var config = dir.File("agent.conf");
        File.WriteAllText(config, ForwardSource(port) + FileMatch("sink_a", a));
        using var agent = new AgentProcess("-c", config);
        await Started(agent);

        // Line 7 of the broken config names an output type that does not exist.
        File.WriteAllText(config, ForwardSource(port) + "\n<match **>\n  @type no_such_output\n</match>\n");
        agent.Signal(AgentProcess.SIGHUP);
        await ReloadsFinished(agent, 1);
        Assert.Contains("config reload failed, the running pipeline is kept", agent.Stderr);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(config)}:\d+: .*no_such_output", agent.Stderr);

        // The old pipeline still takes events on the same port and delivers them.
        var sender = new NumberedForwardSender(port, "after.broken");
        await sender.SendAsync(20, TimeSpan.Zero, CancellationToken.None);
        await Eventually.True(() => DeliveredEvents.InFiles(a).Count >= 20, Deadline, () => $"{DeliveredEvents.InFiles(a).Count} of 20 in A; stderr:\n{agent.Stderr}");
        Assert.Equal(0, sender.ConnectErrors);
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
    }

    [Fact]
    public async Task A_reloaded_config_that_cannot_start_its_new_listener_gives_way_to_the_previous_config_on_the_same_port()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        string a = dir.Sub("a"), b = dir.Sub("b");
        var config = dir.File("agent.conf");
        File.WriteAllText(config, ForwardSource(port) + FileMatch("sink_a", a));
        using var agent = new AgentProcess("-c", config);
        await Started(agent);

        // Valid, but its second input's port is taken: the new pipeline fails at start, after the old one stopped.
        var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            int takenPort = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            File.WriteAllText(config, ForwardSource(port) + ForwardSource(takenPort) + FileMatch("sink_b", b));
            agent.Signal(AgentProcess.SIGHUP);
            await Eventually.True(() => agent.Stderr.Contains("going back to the previous config"), Deadline, () => $"the fallback; stderr:\n{agent.Stderr}");
        }
        finally
        {
            taken.Stop();
        }

        var sender = new NumberedForwardSender(port, "after.fallback");
        await sender.SendAsync(20, TimeSpan.Zero, CancellationToken.None);
        await Eventually.True(() => DeliveredEvents.InFiles(a).Count >= 20, Deadline, () => $"{DeliveredEvents.InFiles(a).Count} of 20 in A; stderr:\n{agent.Stderr}");
        Assert.Equal(0, sender.ConnectErrors);
        Assert.Empty(DeliveredEvents.InFiles(b));
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
    }

    [Fact]
    public async Task A_file_buffer_for_a_dead_destination_survives_ten_reloads_and_every_chunk_is_delivered_once_when_it_comes_up()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        int sinkPort = FreePort.Get();
        var config = dir.File("agent.conf");
        File.WriteAllText(config, ForwardSource(port) + DeadForwardMatch(sinkPort, "file", dir.Sub("buffer")));
        using var agent = new AgentProcess("-c", config);
        await Started(agent);

        // Three bursts, so the buffer holds several chunks (one per flush), all acked into the file buffer.
        const int Events = 60;
        for (int burst = 0; burst < 3; burst++)
        {
            var sender = new NumberedForwardSender(port, $"dead.burst{burst}");
            await sender.SendAsync(Events / 3, TimeSpan.Zero, CancellationToken.None);
            await Task.Delay(300); // lets a flush_interval pass, so the next burst starts a new chunk
        }
        await Eventually.True(() => agent.Stderr.Contains("failed to flush the buffer"), Deadline, () => $"a failed flush; stderr:\n{agent.Stderr}");

        for (int reload = 1; reload <= 10; reload++)
        {
            agent.Signal(reload % 2 == 0 ? AgentProcess.SIGUSR2 : AgentProcess.SIGHUP);
            await ReloadsFinished(agent, reload);
        }
        Assert.Equal(10, Occurrences(agent.Stderr, "reload: reload done"));
        Assert.True(Occurrences(agent.Stderr, "resumed") >= 10, $"each reload resumed the file buffer; stderr:\n{agent.Stderr}");

        await using var sink = new TestForwardReceiver(port: sinkPort);
        await Eventually.True(() => DeliveredEvents.InRequests(sink).Count >= Events, Deadline,
            () => $"{DeliveredEvents.InRequests(sink).Count} of {Events} at the sink; stderr:\n{agent.Stderr}");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
        var numbers = DeliveredEvents.InRequests(sink);
        // Each burst numbers its events 0..19: per burst tag, each number exactly once.
        Assert.Equal(Events, numbers.Count);
        Assert.Equal(Enumerable.Range(0, Events / 3).SelectMany(n => Enumerable.Repeat((long)n, 3)).Order(), numbers.Order());
        Assert.Equal(3, sink.Requests.Select(r => r.Tag).Distinct().Count());
    }

    [Fact]
    public async Task A_memory_buffer_whose_destination_is_down_is_carried_over_a_reload_into_the_output_with_the_same_id()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        int sinkPort = FreePort.Get();
        var config = dir.File("agent.conf");
        using var agent = await StartWithStrandedMemoryBuffer(config, port, sinkPort, "carried");

        agent.Signal(AgentProcess.SIGHUP);
        await ReloadsFinished(agent, 1);
        Assert.Contains("carried over into the buffer of to_sink", agent.Stderr);
        Assert.DoesNotContain("dead-letter directory", agent.Stderr);

        await using var sink = new TestForwardReceiver(port: sinkPort);
        await Eventually.True(() => DeliveredEvents.InRequests(sink).Count >= 30, Deadline,
            () => $"{DeliveredEvents.InRequests(sink).Count} of 30 at the sink; stderr:\n{agent.Stderr}");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
        Assert.Equal(Enumerable.Range(0, 30).Select(n => (long)n), DeliveredEvents.InRequests(sink).Order());
    }

    [Fact]
    public async Task A_memory_buffer_whose_output_the_new_config_drops_goes_to_the_output_now_matching_its_tag()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        int deadPort = FreePort.Get();
        string b = dir.Sub("b");
        var config = dir.File("agent.conf");
        using var agent = await StartWithStrandedMemoryBuffer(config, port, deadPort, "rerouted");

        File.WriteAllText(config, ForwardSource(port) + FileMatch("sink_b", b));
        agent.Signal(AgentProcess.SIGHUP);
        await ReloadsFinished(agent, 1);
        await Eventually.True(() => DeliveredEvents.InFiles(b).Count >= 30, Deadline, () => $"{DeliveredEvents.InFiles(b).Count} of 30 in B; stderr:\n{agent.Stderr}");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
        Assert.Equal(Enumerable.Range(0, 30).Select(n => (long)n), DeliveredEvents.InFiles(b).Order());
        Assert.Contains("which the reloaded config no longer has, emitted to the outputs matching its tags", agent.Stderr);
    }
}
