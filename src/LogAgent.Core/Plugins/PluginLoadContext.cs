using System.Reflection;
using System.Runtime.Loader;

namespace LogAgent.Core.Plugins;

/// <summary>
/// Isolates one plugin assembly and its private dependencies, while sharing the SDK and the libraries in the
/// SDK's public surface with the agent. Sharing is what makes a plugin's <c>OutputPlugin</c> the same type as the
/// engine's: a second copy of LogAgent.Sdk would make every plugin class invisible to the registry.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private static readonly HashSet<string> Shared = new(StringComparer.OrdinalIgnoreCase)
    {
        "LogAgent.Sdk",
        "MessagePack",
        "MessagePack.Annotations",
        "Microsoft.Extensions.Logging.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
    };

    private readonly AssemblyDependencyResolver _resolver;

    public PluginLoadContext(string pluginPath) : base(Path.GetFileNameWithoutExtension(pluginPath), isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(pluginPath);
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is { } name && Shared.Contains(name))
            return null; // fall back to the default context: the agent's own copy
        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
