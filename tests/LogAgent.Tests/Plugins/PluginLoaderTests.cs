using LogAgent.Core.Plugins;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Plugins;

public class PluginLoaderTests
{
    [Fact]
    public async Task The_example_plugin_is_loaded_from_disk_and_writes_events()
    {
        using var dir = new TempDirectory();
        var pluginDir = dir.Sub("plugins/LogAgent.Plugins.Example");
        foreach (var file in Directory.GetFiles(RepoPaths.ExamplePluginBuildOutput))
            File.Copy(file, Path.Combine(pluginDir, Path.GetFileName(file)));

        var registry = PluginRegistry.CreateWithBuiltIns();
        Assert.Null(registry.Find(PluginKind.Output, "example_jsonl"));
        var loaded = PluginLoader.LoadDirectory(Path.Combine(dir.Path, "plugins"), registry);

        Assert.Single(loaded);
        Assert.Equal(1, loaded[0].Plugins);
        var descriptor = registry.Find(PluginKind.Output, "example_jsonl");
        Assert.NotNull(descriptor);
        // Loaded in its own context, yet it derives from the agent's own OutputPlugin: the SDK is shared.
        Assert.NotSame(typeof(PluginLoaderTests).Assembly, descriptor!.Type.Assembly);
        Assert.True(typeof(OutputPlugin).IsAssignableFrom(descriptor.Type));

        var output = dir.File("out.jsonl");
        var section = TestPluginContext.Section("match", "example_jsonl", ("path", output));
        var plugin = (OutputPlugin)registry.Create(PluginKind.Output, "example_jsonl", section);
        ParameterBinder.Bind(plugin, section, "example_jsonl");
        plugin.Attach(new TestPluginContext());
        plugin.Configure(section);
        await plugin.StartAsync(default);
        await BufferHarness.Write((BufferedOutputPlugin)plugin, EventStream.Single("app", new EventTime(1700000000, 500000000), new Record { ["msg"] = "hi" }));
        await plugin.ShutdownAsync(default);

        Assert.Equal("{\"tag\":\"app\",\"time\":1700000000.5,\"record\":{\"msg\":\"hi\"}}\n", File.ReadAllText(output));
    }

    [Fact]
    public void A_file_that_is_not_an_assembly_is_an_error_naming_the_file()
    {
        using var dir = new TempDirectory();
        var broken = dir.File("Broken.Plugin.dll");
        File.WriteAllText(broken, "this is not a PE file");
        var ex = Assert.Throws<PluginLoadException>(() => PluginLoader.LoadDirectory(dir.Path, PluginRegistry.CreateWithBuiltIns()));
        Assert.Equal(broken, ex.File);
        Assert.Contains("Broken.Plugin.dll", ex.Message);
        Assert.Contains("not a .NET assembly", ex.Message);
    }

    [Fact]
    public void A_missing_plugin_directory_loads_nothing()
    {
        Assert.Empty(PluginLoader.LoadDirectory("/nonexistent/logagent/plugins", PluginRegistry.CreateWithBuiltIns()));
    }

    [Fact]
    public void Describe_lists_parameters_with_types_defaults_and_descriptions()
    {
        var registry = PluginRegistry.CreateWithBuiltIns();
        var text = PluginDescriber.Describe(registry.Find(PluginKind.Input, "sample")!);
        Assert.Contains("sample (input plugin, also: dummy)", text);
        Assert.Contains("rate (integer, default: 1)", text);
        Assert.Contains("tag (string, default: sample)", text);
        Assert.Contains("@log_level (enum: trace|debug|info|warn|error|fatal, default: nil)", text);
    }

    [Fact]
    public void An_unknown_type_is_a_config_error_naming_the_plugin_and_line()
    {
        var section = new ConfigSection("match", "**", "td-agent.conf", 42);
        var ex = Assert.Throws<ConfigException>(() => PluginRegistry.CreateWithBuiltIns().Create(PluginKind.Output, "kafka2", section));
        Assert.Equal(42, ex.Line);
        Assert.Contains("Unknown output plugin 'kafka2'", ex.Message);
    }
}
