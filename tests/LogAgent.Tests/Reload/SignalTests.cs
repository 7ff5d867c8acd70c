using System.Diagnostics;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Reload;

/// <summary>SIGUSR1 (flush every buffer, reopen the log file) and SIGCONT (state dump) of the real executable.</summary>
public class SignalTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static string ForwardToFile(int port, string directory) => $"""
        <source>
          @type forward
          bind 127.0.0.1
          port {port}
        </source>
        {ReloadTests.FileMatch("out", directory, flushInterval: "1h")}
        """;

    [Fact]
    public async Task SIGUSR1_writes_a_memory_buffer_with_a_one_hour_flush_interval_at_once()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        string output = dir.Sub("out");
        var config = dir.File("agent.conf");
        File.WriteAllText(config, ForwardToFile(port, output));
        using var agent = new AgentProcess("-c", config);
        await ReloadTests.Started(agent);
        await new NumberedForwardSender(port, "flush.me").SendAsync(5, TimeSpan.Zero, CancellationToken.None);
        // Acked: the events are in the buffer, which would hold them for an hour.
        Assert.Empty(DeliveredEvents.InFiles(output));

        var clock = Stopwatch.StartNew();
        agent.Signal(AgentProcess.SIGUSR1);
        await Eventually.True(() => DeliveredEvents.InFiles(output).Count == 5, Deadline, () => $"the flushed events; stderr:\n{agent.Stderr}");
        // Within a second on an idle machine; 3 s leaves a loaded CI machine slack while flush_interval is an hour.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"flushed after {clock.Elapsed}");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
    }

    [Fact]
    public async Task With_log_FILE_the_agent_logs_to_the_file_and_SIGUSR1_after_logrotate_moved_it_writes_a_new_one()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        var config = dir.File("agent.conf");
        File.WriteAllText(config, ForwardToFile(port, dir.Sub("out")));
        var log = dir.File("logagent.log");
        using var agent = new AgentProcess("-c", config, "--log", log);
        await Eventually.True(() => File.Exists(log) && File.ReadAllText(log).Contains("engine: agent started"), Deadline,
            () => $"the start in the log file; stderr:\n{agent.Stderr}");
        Assert.DoesNotContain("agent started", agent.Stderr);

        File.Move(log, log + ".1"); // what logrotate does before its postrotate signal
        agent.Signal(AgentProcess.SIGUSR1);
        await Eventually.True(() => File.Exists(log) && File.ReadAllText(log).Contains("reopened"), Deadline,
            () => $"a new log file; stderr:\n{agent.Stderr}");
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));

        var rotated = File.ReadAllText(log + ".1");
        var current = File.ReadAllText(log);
        Assert.Contains("engine: agent started", rotated);
        Assert.DoesNotContain("agent stopped", rotated);
        Assert.Contains("engine: agent stopped", current);
        // The same line format as on stderr: time, zone, [level], component, message.
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4} \[info\] ", current);
    }

    [Fact]
    public async Task SIGCONT_writes_a_state_dump_with_every_plugins_counters_to_SIGDUMP_PATH()
    {
        using var dir = new TempDirectory();
        int port = FreePort.Get();
        var config = dir.File("agent.conf");
        File.WriteAllText(config, ForwardToFile(port, dir.Sub("out")));
        var dump = dir.File("dump.log");
        using var agent = new AgentProcess(new Dictionary<string, string> { ["SIGDUMP_PATH"] = dump }, "-c", config);
        await ReloadTests.Started(agent);
        await new NumberedForwardSender(port, "dumped").SendAsync(7, TimeSpan.Zero, CancellationToken.None);

        agent.Signal(AgentProcess.SIGCONT);
        await Eventually.True(() => File.Exists(dump) && agent.Stderr.Contains($"state dump written to {dump}"), Deadline,
            () => $"the dump; stderr:\n{agent.Stderr}");
        var text = File.ReadAllText(dump);
        Assert.Contains($"process {agent.Id}", text);
        Assert.Contains("\"plugin_id\":\"forward.", text);
        // The output's counters as monitor_agent shows them: 7 events in, staged, none written yet (flush_interval 1h).
        Assert.Contains("\"plugin_id\":\"out\"", text);
        Assert.Contains("\"emit_records\":7", text);
        Assert.Contains("\"buffer_stage_length\":1", text);
        Assert.Contains("threads:", text);
        agent.Signal(AgentProcess.SIGTERM);
        Assert.Equal(0, agent.WaitForExit(Deadline));
    }
}
