using System.Reflection;

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
}

public sealed class PluginLoadException(string file, string reason, Exception? inner = null)
    : Exception($"cannot load plugin assembly {file}: {reason}", inner)
{
    public string File { get; } = file;
}
