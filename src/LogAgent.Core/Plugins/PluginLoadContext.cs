using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace LogAgent.Core.Plugins;

/// <summary>
/// Isolates one plugin assembly and its private dependencies, while sharing the SDK and the libraries in the
/// SDK's public surface with the agent. Sharing is what makes a plugin's <c>OutputPlugin</c> the same type as the
/// engine's: a second copy of LogAgent.Sdk would make every plugin class invisible to the registry.
/// </summary>
/// <remarks>
/// Probes the plugin's folder itself rather than through <see cref="AssemblyDependencyResolver"/>, which needs the
/// hostpolicy library and so is not promised in a single-file executable (dotnet/runtime#59961). The layout it
/// relies on is what <c>dotnet build</c> / <c>dotnet publish</c> of a plugin with EnableDynamicLoading writes: every
/// private dependency as <c>NAME.dll</c> beside the plugin, native libraries under <c>runtimes/RID/native/</c>.
/// </remarks>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    /// <summary>Always the agent's copy, whatever the plugin folder holds: the SDK and the types in its signatures.</summary>
    private static readonly HashSet<string> Shared = new(StringComparer.OrdinalIgnoreCase)
    {
        "LogAgent.Sdk",
        "MessagePack",
        "MessagePack.Annotations",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
    };

    public PluginLoadContext(string pluginPath) : base(Path.GetFileNameWithoutExtension(pluginPath), isCollectible: false)
    {
        PluginDirectory = Path.GetDirectoryName(pluginPath)!;
    }

    /// <summary>The plugin's folder, where its private dependencies are.</summary>
    public string PluginDirectory { get; }

    /// <summary>Where a private dependency named <paramref name="name"/> would be.</summary>
    public string PrivateAssemblyPath(string name) => Path.Combine(PluginDirectory, name + ".dll");

    /// <summary>Where a private dependency named <paramref name="name"/> of the plugin at <paramref name="pluginPath"/> would be.</summary>
    public static string PrivateAssemblyPath(string pluginPath, string name) => Path.Combine(Path.GetDirectoryName(pluginPath)!, name + ".dll");

    /// <summary>Whether the agent supplies <paramref name="name"/> rather than the plugin's folder.</summary>
    public static bool ComesFromAgent(string name) => Shared.Contains(name) || LoadedByAgent(name) is not null;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name || Shared.Contains(name)) return null;
        // A library the agent has already loaded stays one copy in the process, so its types and statics are shared.
        if (LoadedByAgent(name) is { } agentCopy) return agentCopy;
        var path = PrivateAssemblyPath(name);
        // Not in the folder: the default context, which has the framework and the agent's own libraries.
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        FindNativeLibrary(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero; // zero: the system's search

    /// <summary>
    /// A native library of the plugin: under <c>runtimes/RID/native/</c> (where NuGet packages put them and the build
    /// copies them), else in the plugin's folder itself; null if neither has it.
    /// </summary>
    public string? FindNativeLibrary(string name)
    {
        var rid = $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        foreach (var folder in new[] { Path.Combine(PluginDirectory, "runtimes", rid, "native"), PluginDirectory })
            foreach (var file in NativeFileNames(name))
            {
                var path = Path.Combine(folder, file);
                if (File.Exists(path)) return path;
            }
        return null;
    }

    /// <summary>The names a DllImport of <paramref name="name"/> may have on disk, as the runtime's own probing tries them.</summary>
    private static IEnumerable<string> NativeFileNames(string name)
    {
        yield return name;
        if (!name.EndsWith(".so", StringComparison.Ordinal) && !name.Contains(".so.", StringComparison.Ordinal))
        {
            yield return name + ".so";
            if (!name.StartsWith("lib", StringComparison.Ordinal)) yield return "lib" + name + ".so";
        }
        if (!name.StartsWith("lib", StringComparison.Ordinal)) yield return "lib" + name;
    }

    private static Assembly? LoadedByAgent(string name)
    {
        foreach (var assembly in Default.Assemblies)
            if (string.Equals(assembly.GetName().Name, name, StringComparison.OrdinalIgnoreCase)) return assembly;
        return null;
    }
}
