using LogAgent.Tests.Support;

namespace LogAgent.Tests.Host;

/// <summary>
/// The published single file (see <see cref="PublishedAgent"/>) finds its plugins where the publish directory and
/// the package put them: plugins/ beside it, ../plugins from it (/opt/logagent/bin/logagent with
/// /opt/logagent/plugins/), also when started through a symlink (/usr/bin/logagent).
/// </summary>
public class PublishedExecutableTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void Publishing_for_a_runtime_gives_one_self_contained_file_and_the_plugins_beside_it()
    {
        var published = PublishedAgent.Get();

        Assert.True(File.Exists(published.Executable));
        // Single file and self-contained: no assembly of the agent and no runtime library beside it.
        Assert.Empty(Directory.GetFiles(published.Directory, "*.dll"));
        Assert.Empty(Directory.GetFiles(published.Directory, "*.so"));
        Assert.False(File.Exists(Path.Combine(published.Directory, "logagent.runtimeconfig.json")));
        Assert.True(File.Exists(Path.Combine(published.Directory, "plugins", "LogAgent.Plugins.Kinesis", "LogAgent.Plugins.Kinesis.dll")));
        Assert.True(File.Exists(Path.Combine(published.Directory, "plugins", "LogAgent.Plugins.Kinesis", "AWSSDK.Core.dll")));
    }

    [Fact]
    public async Task The_single_file_loads_the_plugins_beside_it()
    {
        using var cwd = new TempDirectory();
        var (code, stdout, stderr) = await ClientProcess.RunAsync(PublishedAgent.Get().Executable, ["--list-plugins"], Timeout, cwd.Path);

        Assert.True(code == 0, stderr);
        AssertListsKinesisPlugins(stdout);
    }

    [Fact]
    public async Task In_the_package_layout_the_single_file_loads_the_plugins_at_dot_dot_plugins()
    {
        using var root = new TempDirectory();
        var executable = LayOutPackage(root);

        var (code, stdout, stderr) = await ClientProcess.RunAsync(executable, ["--list-plugins"], Timeout, root.Path);

        Assert.True(code == 0, stderr);
        AssertListsKinesisPlugins(stdout);
    }

    [Fact]
    public async Task Through_a_symlink_in_another_directory_the_single_file_still_finds_its_plugins_and_runs_the_kinesis_example()
    {
        using var root = new TempDirectory();
        var executable = LayOutPackage(root);
        var link = Path.Combine(root.Sub("usr/bin"), "logagent");
        File.CreateSymbolicLink(link, executable);

        var (code, stdout, stderr) = await ClientProcess.RunAsync(link, ["--list-plugins"], Timeout, root.Path);
        Assert.True(code == 0, stderr);
        AssertListsKinesisPlugins(stdout);

        // Configuring the Kinesis outputs loads the plugin's private AWSSDK.Core, in the single file's plugin context.
        var dryRun = await ClientProcess.RunAsync(link, ["--dry-run", "-c", Path.Combine(RepoPaths.Conf, "examples", "kinesis-fanout.conf")], Timeout, root.Path);
        Assert.True(dryRun.ExitCode == 0, dryRun.Stderr);
        Assert.Contains("kinesis-fanout.conf is valid", dryRun.Stderr);
    }

    /// <summary>ROOT/bin/logagent and ROOT/plugins/NAME/, as the package installs them under /opt/logagent; returns the executable.</summary>
    private static string LayOutPackage(TempDirectory root)
    {
        var published = PublishedAgent.Get();
        var executable = Path.Combine(root.Sub("bin"), "logagent");
        File.Copy(published.Executable, executable); // keeps the mode, so it stays executable
        foreach (var file in Directory.GetFiles(Path.Combine(published.Directory, "plugins"), "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root.Path, Path.GetRelativePath(published.Directory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        Assert.False(Directory.Exists(Path.Combine(root.Path, "bin", "plugins"))); // only ../plugins: the case under test
        return executable;
    }

    private static void AssertListsKinesisPlugins(string stdout)
    {
        Assert.Matches(@"(?m)^output\s+kinesis_streams\s", stdout);
        Assert.Matches(@"(?m)^output\s+kinesis_firehose\s", stdout);
    }
}
