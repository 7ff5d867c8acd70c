using LogAgent.Core.Config;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Engine;

/// <summary>Every config shipped in conf/ must configure cleanly: the operator's first experience.</summary>
public class BundledConfigTests
{
    public static IEnumerable<object[]> BundledConfigs() =>
        Directory.GetFiles(RepoPaths.Conf, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".conf") || f.EndsWith(".yaml") || f.EndsWith(".yml"))
            .Order()
            .Select(f => new object[] { Path.GetRelativePath(RepoPaths.Conf, f) });

    [Theory]
    [MemberData(nameof(BundledConfigs))]
    public void Passes_dry_run_without_warnings(string relativePath)
    {
        var root = ConfigLoader.LoadFile(Path.Combine(RepoPaths.Conf, relativePath));
        var engine = AgentEngine.Build(root, new EngineOptions { Registry = RegistryWithRepositoryPlugins() });
        Assert.Empty(engine.Warnings.Where(w => !w.Message.Contains("workers")).Select(w => w.ToString()));
    }

    /// <summary>The built-ins and the plugins of this repository (conf/examples/kinesis-fanout.conf uses the Kinesis
    /// outputs), loaded from their build output laid out as an operator installs them: plugins/NAME/NAME.dll.</summary>
    private static PluginRegistry RegistryWithRepositoryPlugins()
    {
        var registry = PluginRegistry.CreateWithBuiltIns();
        using var dir = new TempDirectory();
        var plugin = dir.Sub("plugins/LogAgent.Plugins.Kinesis");
        foreach (var file in Directory.GetFiles(RepoPaths.KinesisPluginBuildOutput))
            File.Copy(file, Path.Combine(plugin, Path.GetFileName(file)));
        PluginLoader.LoadDirectory(Path.Combine(dir.Path, "plugins"), registry);
        return registry;
    }

    [Fact]
    public void There_are_bundled_configs_to_check()
    {
        Assert.True(BundledConfigs().Count() >= 5);
    }
}
