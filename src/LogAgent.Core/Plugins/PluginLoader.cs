using System.Reflection;
using System.Runtime.Loader;

namespace LogAgent.Core.Plugins;

/// <summary>
/// Loads external plugins from plugin directories. Layout: <c>DIR/NAME/NAME.dll</c> (a published plugin with its
/// dependencies beside it) or <c>DIR/NAME.dll</c>. Each plugin gets its own <see cref="PluginLoadContext"/>.
/// </summary>
public static class PluginLoader
{
    /// <summary>Loads every plugin assembly in <paramref name="directory"/>; returns the files loaded and plugin counts.</summary>
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

    /// <summary>Loads one plugin assembly and registers its plugins; a broken file is a <see cref="PluginLoadException"/> naming it.</summary>
    public static int LoadFile(string path, PluginRegistry registry)
    {
        var fullPath = Path.GetFullPath(path);
        try
        {
            var context = new PluginLoadContext(fullPath);
            var assembly = context.LoadFromAssemblyPath(fullPath);
            CheckReferences(assembly, context, fullPath);
            return registry.RegisterAssembly(assembly, fullPath);
        }
        catch (BadImageFormatException e)
        {
            throw new PluginLoadException(fullPath, $"not a .NET assembly ({e.Message})", e);
        }
        catch (ReflectionTypeLoadException e)
        {
            var first = e.LoaderExceptions.FirstOrDefault(x => x is not null)?.Message ?? e.Message;
            throw new PluginLoadException(fullPath, $"its types cannot be loaded: {first} (was it built against another LogAgent.Sdk?)", e);
        }
        catch (FileLoadException e)
        {
            throw new PluginLoadException(fullPath, e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            throw new PluginLoadException(fullPath, e.Message, e);
        }
    }

    /// <summary>
    /// Fails at load, naming the plugin and the missing file, when an assembly the plugin was compiled against is
    /// neither in its folder nor supplied by the agent: otherwise the first call into it would fail, mid-run.
    /// Private dependencies are only looked for, not loaded, so an unused plugin costs no memory for them.
    /// </summary>
    private static void CheckReferences(Assembly assembly, PluginLoadContext context, string pluginPath)
    {
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (reference.Name is not { } name || PluginLoadContext.ComesFromAgent(name) || File.Exists(context.PrivateAssemblyPath(name))) continue;
            try
            {
                AssemblyLoadContext.Default.LoadFromAssemblyName(reference); // the framework's or the agent's own
            }
            catch (FileNotFoundException)
            {
                throw new PluginLoadException(pluginPath,
                    $"its dependency {reference.Name} {reference.Version} is missing: it is not part of the agent, and {context.PrivateAssemblyPath(name)} does not exist");
            }
        }
    }
}

public sealed class PluginLoadException(string file, string reason, Exception? inner = null)
    : Exception($"cannot load plugin assembly {file}: {reason}", inner)
{
    public string File { get; } = file;
}
