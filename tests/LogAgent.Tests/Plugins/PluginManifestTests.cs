using System.Reflection;
using LogAgent.Core.Plugins;
using LogAgent.Sdk.Config;

namespace LogAgent.Tests.Plugins;

/// <summary>
/// The plugin list read from metadata, without loading classes, is the one reflection over every class gives:
/// same classes, kinds, names, descriptions and aliases.
/// </summary>
public class PluginManifestTests
{
    public static TheoryData<string> Assemblies() => new()
    {
        typeof(PluginRegistry).Assembly.GetName().Name!,
        typeof(LogAgent.Plugins.Kinesis.KinesisStreamsOutput).Assembly.GetName().Name!,
    };

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void The_manifest_lists_exactly_what_reflection_finds(string assemblyName)
    {
        var assembly = Assembly.Load(assemblyName);
        var byReflection = assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.GetCustomAttribute<PluginAttribute>() is not null)
            .Select(t => (t.FullName!, t.GetCustomAttribute<PluginAttribute>()!))
            .Select(p => Describe(p.Item1, p.Item2.Kind, p.Item2.Name, p.Item2.Description, p.Item2.Aliases))
            .Order().ToList();

        var fromMetadata = PluginManifest.Of(assembly).Plugins
            .Select(p => Describe(p.TypeName, p.Kind, p.Name, p.Description, p.Aliases))
            .Order().ToList();

        Assert.NotEmpty(byReflection);
        Assert.Equal(byReflection, fromMetadata);
    }

    [Fact]
    public void Aliases_are_read_from_the_named_argument()
    {
        var sample = PluginManifest.Of(typeof(PluginRegistry).Assembly).Plugins.Single(p => p.Name == "sample");
        Assert.Equal(new[] { "dummy" }, sample.Aliases);
    }

    [Fact]
    public void A_registered_built_in_is_resolved_to_its_class_only_when_asked()
    {
        var registry = PluginRegistry.CreateWithBuiltIns();
        var descriptor = registry.Find(PluginKind.Input, "dummy")!;

        Assert.False(descriptor.IsLoaded);
        Assert.Equal("SampleInput", descriptor.Type.Name);
        Assert.True(descriptor.IsLoaded);
        Assert.Same(descriptor, registry.Find(PluginKind.Input, "sample"));
    }

    [Fact]
    public void Every_built_in_resolves_to_a_class_of_its_kind()
    {
        // Resolution is lazy now, so what start-up used to check for every built-in is checked here.
        var all = PluginRegistry.CreateWithBuiltIns().All.ToList();
        Assert.True(all.Count > 30, $"{all.Count} built-ins");
        Assert.All(all, p => Assert.True(PluginRegistry.BaseType(p.Kind).IsAssignableFrom(p.Type), $"{p.Name}: {p.Type}"));
    }

    private static string Describe(string type, PluginKind kind, string name, string description, string[] aliases) =>
        $"{type} {kind} {name} [{string.Join(",", aliases)}] {description}";
}
