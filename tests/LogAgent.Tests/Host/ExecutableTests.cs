using LogAgent.Tests.Support;

namespace LogAgent.Tests.Host;

/// <summary>The real executable as a child process: run, signals, exit codes, dry-run and describe.</summary>
public class ExecutableTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(AgentProcess.SIGTERM)]
    [InlineData(AgentProcess.SIGINT)]
    public async Task A_signal_stops_the_agent_gracefully_with_exit_code_0_and_the_events_in_the_output_file(int signal)
    {
        using var dir = new TempDirectory();
        var config = dir.File("agent.conf");
        File.WriteAllText(config, $$"""
            <source>
              @type sample
              tag test.events
              rate 20
              auto_increment_key n
            </source>
            <match test.**>
              @type file
              path {{dir.Path}}/out/${tag}
              append true
              <format>
                @type json
              </format>
              <buffer tag,time>
                timekey 1d
                flush_mode interval
                flush_interval 0.2
                flush_thread_interval 0.1
                flush_thread_burst_interval 0.05
              </buffer>
            </match>
            """);
        using var agent = new AgentProcess("-c", config);
        string OutputText() => Directory.Exists(Path.Combine(dir.Path, "out"))
            ? string.Concat(Directory.GetFiles(Path.Combine(dir.Path, "out"), "*", SearchOption.AllDirectories).Select(File.ReadAllText))
            : "";
        await Eventually.True(() => OutputText().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 10, Timeout,
            () => $"10 events in the output; stderr:\n{agent.Stderr}");

        agent.Signal(signal);
        Assert.Equal(0, agent.WaitForExit(Timeout));

        var lines = OutputText().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Every event has its counter, in order from 0: nothing was lost or reordered on the way to the file.
        var numbers = lines.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("n").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, numbers.Count).Select(i => (long)i), numbers);
        Assert.Contains("[info] engine: agent stopped", agent.Stderr);
    }

    [Fact]
    public void The_default_config_passes_dry_run()
    {
        var (code, _, stderr) = AgentProcess.Run(Timeout, "--dry-run", "-c", Path.Combine(RepoPaths.Conf, "logagent.conf"));
        Assert.True(code == 0, stderr);
        Assert.Contains("is valid", stderr);
    }

    [Fact]
    public void Dry_run_of_a_broken_config_exits_1_naming_file_and_line()
    {
        using var dir = new TempDirectory();
        var config = dir.File("broken.conf");
        File.WriteAllText(config, "<source>\n  @type sample\n</source>\n<match **>\n  @type stdout\n</source>\n");
        var (code, _, stderr) = AgentProcess.Run(Timeout, "--dry-run", "-c", config);
        Assert.Equal(1, code);
        Assert.Contains("broken.conf:6", stderr);
    }

    [Fact]
    public void Describe_plugin_prints_the_declared_parameters()
    {
        var (code, stdout, _) = AgentProcess.Run(Timeout, "--describe-plugin", "copy");
        Assert.Equal(0, code);
        Assert.Contains("copy (output plugin)", stdout);
        Assert.Contains("copy_mode (enum: no_copy|shallow|deep|marshal, default: no_copy)", stdout);
    }

    [Fact]
    public void An_unknown_argument_is_a_usage_error()
    {
        var (code, _, stderr) = AgentProcess.Run(Timeout, "--frobnicate");
        Assert.Equal(2, code);
        Assert.Contains("unknown argument '--frobnicate'", stderr);
    }

    [Fact]
    public void A_broken_plugin_assembly_stops_the_agent_with_its_file_name()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("Bad.dll"), "garbage");
        var (code, _, stderr) = AgentProcess.Run(Timeout, "--plugin-dir", dir.Path, "--dry-run", "-c", Path.Combine(RepoPaths.Conf, "logagent.conf"));
        Assert.Equal(1, code);
        Assert.Contains("Bad.dll", stderr);
    }
}
