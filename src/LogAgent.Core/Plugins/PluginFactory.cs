using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins;

/// <summary>Creates a plugin from its config element: look up @type, attach the context, bind parameters, configure.</summary>
public sealed class PluginFactory
{
    public PluginFactory(PluginRegistry registry) => Registry = registry;

    public PluginRegistry Registry { get; }

    /// <summary>
    /// Builds and configures a plugin. <paramref name="contextFor"/> gives the context once the plugin's id is known.
    /// A missing @type is an error unless <paramref name="defaultType"/> is given (as for &lt;parse&gt; sections).
    /// </summary>
    public T Build<T>(PluginKind kind, ConfigSection section, Func<Plugin, IPluginContext> contextFor, string? defaultType = null,
        Func<Plugin, Action?>? beforeConfigure = null)
        where T : Plugin
    {
        section.IsUsed = true;
        var type = section.PluginType ?? defaultType;
        if (string.IsNullOrEmpty(type))
            throw new ConfigException($"Missing '@type' parameter on {section} directive", section);
        var plugin = Registry.Create(kind, type, section);
        // Bind first so @id is known for the logger category.
        ParameterBinder.Bind(plugin, section, type);
        plugin.Attach(contextFor(plugin));
        // The engine's part of a plugin (a buffered output's buffer) is set up before the plugin configures
        // itself, and may check the plugin's result afterwards.
        var afterConfigure = beforeConfigure?.Invoke(plugin);
        try
        {
            plugin.Configure(section);
            afterConfigure?.Invoke();
        }
        catch (ConfigException)
        {
            throw;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ConfigException($"plugin '{type}' rejected its configuration: {e.Message}", section, e);
        }
        return (T)plugin;
    }

    /// <summary>
    /// Lists what a plugin did not read: parameters and sections fluentd would warn about
    /// ("parameter 'x' in &lt;match a&gt; is not used.").
    /// </summary>
    public static IEnumerable<(string Message, string File, int Line)> Unused(ConfigSection section)
    {
        foreach (var p in section.Parameters)
            if (!section.UsedParameters.Contains(p.Key) && p.Key is not ("@type" or "type"))
                yield return ($"parameter '{p.Key}' in {section} is not used.", p.File, p.Line);
        foreach (var s in section.Sections)
        {
            if (!s.IsUsed)
            {
                yield return ($"section {s} is not used in {section}.", s.File, s.Line);
                continue;
            }
            foreach (var inner in Unused(s)) yield return inner;
        }
    }
}
