using System.Reflection;
using System.Runtime.Loader;

namespace LogAgent.Core.Plugins;

/// <summary>
/// Loads external plugins from plugin directories. Layout: <c>DIR/NAME/NAME.dll</c> (a published plugin with its
/// dependencies beside it) or <c>DIR/NAME.dll</c>. Each plugin assembly is loaded into its own
/// <see cref="PluginLoadContext"/>; its classes and dependencies when a config uses them.
/// </summary>
public static class PluginLoader
{
    /// <summary>Loads every plugin assembly in <paramref name="directory"/>; returns the files and their plugin counts.</summary>
    public static IReadOnlyList<(string File, int Plugins)> LoadDirectory(string directory, PluginRegistry registry)
    {
        var loaded = new List<(string, int)>();
        if (!Directory.Exists(directory)) return loaded;
        var candidates = Directory.GetFiles(directory, "*.dll")
            .Concat(Directory.GetDirectories(directory)
                .Select(d => Path.Combine(d, Path.GetFileName(d) + ".dll"))
                .Where(File.Exists))
            .Order(StringComparer.Ordinal);
        foreach (var file in candidates)
        {
            if (Path.GetFileNameWithoutExtension(file).Equals("LogAgent.Sdk", StringComparison.OrdinalIgnoreCase)) continue;
            loaded.Add((file, LoadFile(file, registry)));
        }
        return loaded;
    }

    /// <summary>
    /// Loads one plugin assembly and registers its plugins, read from its metadata: each plugin's class, and the
    /// plugin's private dependencies, load when a config first uses it. A file that is not an assembly, or one whose
    /// dependencies are missing, is a <see cref="PluginLoadException"/> naming it now, at start.
    /// </summary>
    public static int LoadFile(string path, PluginRegistry registry)
    {
        var fullPath = Path.GetFullPath(path);
        Assembly assembly;
        PluginManifest manifest;
        try
        {
            assembly = new PluginLoadContext(fullPath).LoadFromAssemblyPath(fullPath);
            manifest = PluginManifest.Of(assembly);
        }
        catch (BadImageFormatException e)
        {
            throw new PluginLoadException(fullPath, $"not a .NET assembly ({e.Message})", e);
        }
        catch (FileLoadException e)
        {
            throw new PluginLoadException(fullPath, e.Message, e);
        }
        CheckReferences(manifest, fullPath);
        registry.Register(manifest, plugin => PluginRegistry.ResolveType(assembly, plugin, fullPath), fullPath);
        return manifest.Plugins.Count;
    }

    /// <summary>
    /// Fails at start, naming the plugin and the missing file, when an assembly the plugin was compiled against is
    /// neither in its folder nor supplied by the agent: otherwise the first call into it would fail, mid-run.
    /// Nothing is loaded to find out, so an unused plugin costs no memory.
    /// </summary>
    private static void CheckReferences(PluginManifest manifest, string pluginPath)
    {
        foreach (var reference in manifest.References)
        {
            if (reference.Name is not { } name || PluginLoadContext.ComesFromAgent(name) || File.Exists(PluginLoadContext.PrivateAssemblyPath(pluginPath, name))
                || AgentAssemblies.Contains(name)) continue;
            try
            {
                AssemblyLoadContext.Default.LoadFromAssemblyName(reference); // neither listed nor loaded: try for real
            }
            catch (FileNotFoundException)
            {
                throw new PluginLoadException(pluginPath,
                    $"its dependency {reference.Name} {reference.Version} is missing: it is not part of the agent, and {PluginLoadContext.PrivateAssemblyPath(pluginPath, name)} does not exist");
            }
        }
    }

    /// <summary>
    /// The assemblies the default context can load: the framework's and the agent's own, as the host lists them
    /// (TRUSTED_PLATFORM_ASSEMBLIES, which a single-file executable fills with its bundled assemblies too).
    /// </summary>
    private static readonly HashSet<string> AgentAssemblies = new(
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>(),
        StringComparer.OrdinalIgnoreCase);
}

public sealed class PluginLoadException(string file, string reason, Exception? inner = null)
    : Exception($"cannot load plugin assembly {file}: {reason}", inner)
{
    public string File { get; } = file;
}
