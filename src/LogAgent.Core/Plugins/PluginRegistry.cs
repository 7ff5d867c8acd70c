using System.Reflection;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins;

/// <summary>
/// Finds plugin classes by kind and <c>@type</c> name. Built-ins are registered from the core assembly;
/// external plugins from assemblies the <see cref="PluginLoader"/> loads.
/// </summary>
public sealed class PluginRegistry
{
    private readonly Dictionary<(PluginKind, string), PluginDescriptor> _plugins = new();

    /// <summary>The built-ins, read once from the core assembly's metadata: each class loads when a config first uses it.</summary>
    private static readonly Lazy<PluginManifest> BuiltIns = new(() => PluginManifest.Of(typeof(PluginRegistry).Assembly));

    public static PluginRegistry CreateWithBuiltIns()
    {
        var registry = new PluginRegistry();
        var core = typeof(PluginRegistry).Assembly;
        registry.Register(BuiltIns.Value, plugin => ResolveType(core, plugin, "built-in"), "built-in");
        return registry;
    }

    /// <summary>Registers the plugins a manifest lists; <paramref name="resolve"/> finds a plugin's class on first use.</summary>
    public void Register(PluginManifest manifest, Func<PluginManifest.Entry, Type> resolve, string origin)
    {
        foreach (var plugin in manifest.Plugins)
            Register(new PluginDescriptor(plugin.Kind, plugin.Name, plugin.Description, () => resolve(plugin), origin, plugin.Aliases));
    }

    /// <summary>The class a manifest entry names, checked to be that kind of plugin; a failure is a <see cref="PluginLoadException"/>.</summary>
    public static Type ResolveType(Assembly assembly, PluginManifest.Entry plugin, string origin)
    {
        try
        {
            var type = assembly.GetType(plugin.TypeName, throwOnError: true)!;
            CheckBaseType(type, plugin.Kind, origin);
            return type;
        }
        catch (Exception e) when (e is TypeLoadException or FileLoadException or FileNotFoundException or BadImageFormatException)
        {
            throw new PluginLoadException(origin, $"its class {plugin.TypeName} cannot be loaded: {e.Message} (was it built against another LogAgent.Sdk?)", e);
        }
        catch (InvalidOperationException e)
        {
            throw new PluginLoadException(origin, e.Message, e);
        }
    }

    public IEnumerable<PluginDescriptor> All => _plugins.Values.Distinct();

    /// <summary>Registers every class with a <see cref="PluginAttribute"/>; returns how many.</summary>
    public int RegisterAssembly(Assembly assembly, string origin)
    {
        int count = 0;
        foreach (var type in assembly.GetTypes())
        {
            var attribute = type.GetCustomAttribute<PluginAttribute>();
            if (attribute is null || type.IsAbstract) continue;
            Register(type, attribute, origin);
            count++;
        }
        return count;
    }

    public void Register(Type type, PluginAttribute attribute, string origin)
    {
        CheckBaseType(type, attribute.Kind, origin);
        Register(new PluginDescriptor(attribute.Kind, attribute.Name, attribute.Description, () => type, origin, attribute.Aliases));
    }

    /// <summary>Registers a plugin whose class may not be loaded yet (see <see cref="PluginDescriptor.Type"/>).</summary>
    public void Register(PluginDescriptor descriptor)
    {
        foreach (var name in descriptor.Aliases.Prepend(descriptor.Name))
            _plugins[(descriptor.Kind, name)] = descriptor;
    }

    /// <summary>A class registered as a kind of plugin must derive from that kind's base class.</summary>
    public static void CheckBaseType(Type type, PluginKind kind, string origin)
    {
        var expectedBase = BaseType(kind);
        if (!expectedBase.IsAssignableFrom(type))
            throw new InvalidOperationException($"{type.FullName} ({origin}) is registered as a {kind} plugin but does not derive from {expectedBase.Name}");
    }

    public PluginDescriptor? Find(PluginKind kind, string name) => _plugins.GetValueOrDefault((kind, name));

    public IEnumerable<PluginDescriptor> FindByName(string name) =>
        _plugins.Where(kv => kv.Key.Item2 == name).Select(kv => kv.Value).Distinct();

    /// <summary>Creates an unconfigured instance, or throws a config error naming the element when the type is unknown.</summary>
    public Plugin Create(PluginKind kind, string name, ConfigSection at)
    {
        var descriptor = Find(kind, name)
            ?? throw new ConfigException($"Unknown {KindName(kind)} plugin '{name}'. LogAgent has no plugin of that name; install it into a plugin directory (--plugin-dir) or check the spelling", at);
        Type type;
        try
        {
            type = descriptor.Type;
        }
        catch (PluginLoadException e)
        {
            throw new ConfigException($"{KindName(kind)} plugin '{name}': {e.Message}", at);
        }
        return (Plugin)Activator.CreateInstance(type)!;
    }

    public static string KindName(PluginKind kind) => kind.ToString().ToLowerInvariant();

    public static Type BaseType(PluginKind kind) => kind switch
    {
        PluginKind.Input => typeof(InputPlugin),
        PluginKind.Filter => typeof(FilterPlugin),
        PluginKind.Output => typeof(OutputPlugin),
        PluginKind.Parser => typeof(ParserPlugin),
        PluginKind.Formatter => typeof(FormatterPlugin),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>
/// A registered plugin. Its class is resolved on first use of <see cref="Type"/>: for a plugin from a plugin folder
/// that is when the assembly is loaded, so a plugin no config uses never costs memory or start-up time.
/// </summary>
public sealed class PluginDescriptor(PluginKind kind, string name, string description, Func<Type> resolve, string origin, string[] aliases)
{
    private readonly Lazy<Type> _type = new(resolve, LazyThreadSafetyMode.ExecutionAndPublication);

    public PluginKind Kind { get; } = kind;
    public string Name { get; } = name;
    public string Description { get; } = description;
    public string Origin { get; } = origin;
    public string[] Aliases { get; } = aliases;

    /// <summary>The plugin's class; loads its assembly the first time (a failure is a <see cref="PluginLoadException"/>, every time).</summary>
    public Type Type => _type.Value;

    /// <summary>Whether <see cref="Type"/> has been resolved, i.e. whether a plugin assembly was loaded for it.</summary>
    public bool IsLoaded => _type.IsValueCreated;
}
