using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using LogAgent.Core.Plugins;
using LogAgent.Sdk.Plugins;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Plugins;

/// <summary>
/// Which copy of an assembly a plugin gets: its own folder's for private dependencies, the agent's for the SDK and
/// for whatever the agent has loaded already. (Out of process, with the real Kinesis plugin: PluginDirectoryTests.)
/// </summary>
public class PluginLoadContextTests
{
    [Fact]
    public void A_private_dependency_is_loaded_from_the_plugins_folder_into_the_plugins_context()
    {
        using var dir = new TempDirectory();
        var context = new PluginLoadContext(dir.File("Some.Plugin.dll"));
        const string name = "LogAgent.Tests.PrivateDependency";
        WriteEmptyAssembly(dir.File(name + ".dll"), name);

        var dependency = context.LoadFromAssemblyName(new AssemblyName(name));

        Assert.Equal(dir.File(name + ".dll"), dependency.Location);
        Assert.Same(context, AssemblyLoadContext.GetLoadContext(dependency));
    }

    [Fact]
    public void The_sdk_is_the_agents_copy_even_when_the_plugin_folder_has_one()
    {
        using var dir = new TempDirectory();
        var sdk = typeof(OutputPlugin).Assembly;
        File.Copy(sdk.Location, dir.File("LogAgent.Sdk.dll"));
        var context = new PluginLoadContext(dir.File("Some.Plugin.dll"));

        Assert.Same(sdk, context.LoadFromAssemblyName(sdk.GetName()));
    }

    [Fact]
    public void A_library_the_agent_has_loaded_is_shared_rather_than_loaded_twice()
    {
        using var dir = new TempDirectory();
        var core = typeof(PluginLoader).Assembly; // loaded by the agent (here: the test process), not in the Shared list
        File.Copy(core.Location, dir.File(Path.GetFileName(core.Location)));
        var context = new PluginLoadContext(dir.File("Some.Plugin.dll"));

        Assert.Same(core, context.LoadFromAssemblyName(core.GetName()));
    }

    [Fact]
    public void A_framework_assembly_not_in_the_folder_comes_from_the_default_context()
    {
        using var dir = new TempDirectory();
        var context = new PluginLoadContext(dir.File("Some.Plugin.dll"));

        var assembly = context.LoadFromAssemblyName(new AssemblyName("System.Net.Http"));

        Assert.Same(AssemblyLoadContext.Default, AssemblyLoadContext.GetLoadContext(assembly));
    }

    [Fact]
    public void A_native_library_is_found_under_runtimes_rid_native_before_the_folder_itself()
    {
        using var dir = new TempDirectory();
        var rid = $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        var native = dir.Sub($"runtimes/{rid}/native");
        File.WriteAllText(Path.Combine(native, "libzstd.so"), "");
        File.WriteAllText(dir.File("libzstd.so"), "");
        File.WriteAllText(dir.File("libsnappy.so"), "");
        var context = new PluginLoadContext(dir.File("Some.Plugin.dll"));

        Assert.Equal(Path.Combine(native, "libzstd.so"), context.FindNativeLibrary("zstd")); // DllImport("zstd")
        Assert.Equal(dir.File("libsnappy.so"), context.FindNativeLibrary("libsnappy"));
        Assert.Null(context.FindNativeLibrary("lz4"));
    }

    /// <summary>A real assembly on disk that nothing in the test process references.</summary>
    private static void WriteEmptyAssembly(string path, string name)
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName(name) { Version = new Version(1, 0, 0, 0) }, typeof(object).Assembly);
        var module = builder.DefineDynamicModule(name);
        module.DefineType(name + ".Marker", TypeAttributes.Public | TypeAttributes.Class).CreateType();
        builder.Save(path);
    }
}
