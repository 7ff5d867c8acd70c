using LogAgent.Tests.Support;

namespace LogAgent.Tests.Host;

/// <summary>
/// The agent's build output holds every plugin of the repository in plugins/NAME/, so `dotnet run` and the tests
/// find them with no -p; and a plugin's private dependencies come from its own folder.
/// </summary>
public class BuildOutputPluginsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static string BuildOutputPlugins => Path.Combine(Path.GetDirectoryName(AgentProcess.ExecutablePath)!, "plugins");

    [Fact]
    public void The_build_output_has_each_plugin_with_its_private_dependencies_in_plugins_NAME()
    {
        Assert.True(File.Exists(Path.Combine(BuildOutputPlugins, "LogAgent.Plugins.Example", "LogAgent.Plugins.Example.dll")));
        var kinesis = Path.Combine(BuildOutputPlugins, "LogAgent.Plugins.Kinesis");
        Assert.True(File.Exists(Path.Combine(kinesis, "LogAgent.Plugins.Kinesis.dll")));
        Assert.True(File.Exists(Path.Combine(kinesis, "AWSSDK.Core.dll")));
        // The SDK is the agent's: a copy beside the plugin would never be loaded, and must not be shipped.
        Assert.False(File.Exists(Path.Combine(kinesis, "LogAgent.Sdk.dll")));
    }

    [Fact]
    public void Without_p_the_agent_lists_the_repository_plugins()
    {
        var (code, stdout, stderr) = AgentProcess.Run(Timeout, "--list-plugins");

        Assert.True(code == 0, stderr);
        Assert.Matches(@"(?m)^output\s+kinesis_streams\s", stdout);
        Assert.Matches(@"(?m)^output\s+kinesis_firehose\s", stdout);
        Assert.Matches(@"(?m)^output\s+example_jsonl\s", stdout);
    }

    [Fact]
    public void Without_p_the_kinesis_fanout_example_passes_dry_run()
    {
        var (code, _, stderr) = AgentProcess.Run(Timeout, "--dry-run", "-c", Path.Combine(RepoPaths.Conf, "examples", "kinesis-fanout.conf"));

        Assert.True(code == 0, stderr);
        Assert.Contains("kinesis-fanout.conf is valid", stderr);
    }

    [Fact]
    public void A_plugin_whose_private_dependency_is_missing_is_an_error_naming_the_plugin_file_and_the_dependency()
    {
        using var dir = new TempDirectory();
        var plugin = CopyKinesisPlugin(dir);
        File.Delete(Path.Combine(Path.GetDirectoryName(plugin)!, "AWSSDK.Core.dll"));

        var (code, _, stderr) = AgentProcess.Run(Timeout, "-p", Path.Combine(dir.Path, "plugins"), "--list-plugins");

        Assert.Equal(1, code);
        Assert.Contains($"cannot load plugin assembly {plugin}: its dependency AWSSDK.Core ", stderr);
        Assert.Contains("AWSSDK.Core.dll does not exist", stderr);
    }

    [Fact]
    public void A_plugins_private_dependency_is_loaded_from_its_folder()
    {
        // The same copy as above, complete: the agent itself has no AWSSDK.Core, so configuring the Kinesis outputs
        // (credentials come from AWSSDK.Core) works only with the one beside the plugin.
        using var dir = new TempDirectory();
        CopyKinesisPlugin(dir);

        var (code, _, stderr) = AgentProcess.Run(Timeout, "-p", Path.Combine(dir.Path, "plugins"),
            "--dry-run", "-c", Path.Combine(RepoPaths.Conf, "examples", "kinesis-fanout.conf"));

        Assert.True(code == 0, stderr);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(AgentProcess.ExecutablePath)!, "AWSSDK.Core.dll")));
    }

    [Fact]
    public async Task A_plugin_no_config_uses_loads_none_of_its_dependencies()
    {
        // The default config uses no Kinesis output: the plugin is listed, its AWSSDK.Core is never mapped.
        using var agent = new AgentProcess("-c", Path.Combine(RepoPaths.Conf, "logagent.conf"));
        await Eventually.True(() => agent.Stdout.Contains("sample.access"), Timeout, () => agent.Stderr);
        var maps = File.ReadAllText($"/proc/{agent.Id}/maps");

        Assert.Contains("LogAgent.Plugins.Kinesis.dll", maps);
        Assert.DoesNotContain("AWSSDK.Core.dll", maps);
    }

    [Fact]
    public async Task A_plugin_a_config_uses_loads_its_dependencies_from_its_folder()
    {
        using var dir = new TempDirectory();
        var config = dir.File("kinesis.conf");
        File.WriteAllText(config, """
            <source>
              @type sample
              tag app
            </source>
            <match app>
              @type kinesis_streams
              stream_name never-reached
              region us-east-1
              endpoint http://127.0.0.1:9
              aws_key_id AKIDEXAMPLE
              aws_sec_key secret
              <buffer>
                flush_interval 3600s
              </buffer>
            </match>
            """);
        using var agent = new AgentProcess("-c", config, "--log", dir.File("agent.log"));
        await Eventually.True(() => File.Exists(dir.File("agent.log")) && File.ReadAllText(dir.File("agent.log")).Contains("agent started"),
            Timeout, () => agent.Stderr);

        var maps = File.ReadAllText($"/proc/{agent.Id}/maps");
        Assert.Contains(Path.Combine(BuildOutputPlugins, "LogAgent.Plugins.Kinesis", "AWSSDK.Core.dll"), maps);
    }

    /// <summary>Copies the Kinesis plugin's build output to DIR/plugins/LogAgent.Plugins.Kinesis/; returns the plugin's path.</summary>
    private static string CopyKinesisPlugin(TempDirectory dir)
    {
        var target = dir.Sub("plugins/LogAgent.Plugins.Kinesis");
        foreach (var file in Directory.GetFiles(Path.Combine(BuildOutputPlugins, "LogAgent.Plugins.Kinesis")))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return Path.Combine(target, "LogAgent.Plugins.Kinesis.dll");
    }
}
