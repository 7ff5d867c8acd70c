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

    public static PluginRegistry CreateWithBuiltIns()
    {
        var registry = new PluginRegistry();
        registry.RegisterAssembly(typeof(PluginRegistry).Assembly, "built-in");
        return registry;
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
        var expectedBase = BaseType(attribute.Kind);
        if (!expectedBase.IsAssignableFrom(type))
            throw new InvalidOperationException($"{type.FullName} ({origin}) is registered as a {attribute.Kind} plugin but does not derive from {expectedBase.Name}");
        var descriptor = new PluginDescriptor(attribute.Kind, attribute.Name, attribute.Description, type, origin, attribute.Aliases);
        foreach (var name in attribute.Aliases.Prepend(attribute.Name))
            _plugins[(attribute.Kind, name)] = descriptor;
    }

    public PluginDescriptor? Find(PluginKind kind, string name) => _plugins.GetValueOrDefault((kind, name));

    public IEnumerable<PluginDescriptor> FindByName(string name) =>
        _plugins.Where(kv => kv.Key.Item2 == name).Select(kv => kv.Value).Distinct();

    /// <summary>Creates an unconfigured instance, or throws a config error naming the element when the type is unknown.</summary>
    public Plugin Create(PluginKind kind, string name, ConfigSection at)
    {
        var descriptor = Find(kind, name)
            ?? throw new ConfigException($"Unknown {KindName(kind)} plugin '{name}'. LogAgent has no plugin of that name; install it into a plugin directory (--plugin-dir) or check the spelling", at);
        return (Plugin)Activator.CreateInstance(descriptor.Type)!;
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

public sealed record PluginDescriptor(PluginKind Kind, string Name, string Description, Type Type, string Origin, string[] Aliases);
