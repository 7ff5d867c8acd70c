using LogAgent.Sdk.Config;

namespace LogAgent.Core.Config;

/// <summary>
/// Loads a configuration file into the <c>ROOT</c> <see cref="ConfigSection"/> the engine builds from: fluentd's
/// YAML form for <c>.yaml</c>/<c>.yml</c> files (<see cref="YamlConfigLoader"/>), fluentd's v1 syntax for anything
/// else (<see cref="FluentConfigParser"/>).
/// </summary>
/// <remarks>
/// <para>Every section and parameter records the file it was read from — the path as given, or for an included file
/// the path resolved against the including file's directory — and its line.</para>
/// <para>A value whose embedded Ruby evaluates <c>use_nil</c> or <c>use_default</c> (<c>"#{ENV['X'] || use_default}"</c>)
/// is left out of the model, so the plugin sees the parameter as not written and applies its default. That is exactly
/// fluentd's <c>use_default</c>; for <c>use_nil</c> fluentd sets the value to nil even over a non-nil default, a
/// difference only for parameters whose default is not nil (the configs that use it pick nil-default ones).</para>
/// </remarks>
public static class ConfigLoader
{
    /// <exception cref="ConfigException">The file cannot be read or parsed; the exception names the file and line.</exception>
    public static ConfigSection LoadFile(string path, ConfigLoadOptions? options = null)
    {
        var extension = Path.GetExtension(path);
        return extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase)
            ? YamlConfigLoader.LoadFile(path, options)
            : FluentConfigParser.ParseFile(path, options);
    }

    /// <summary>Parses fluentd-syntax text; <paramref name="fileName"/> is recorded on the model and in errors.</summary>
    /// <exception cref="ConfigException">A syntax error, a failed include or unsupported embedded Ruby.</exception>
    public static ConfigSection Parse(string text, string fileName, string baseDirectory, ConfigLoadOptions? options = null) =>
        FluentConfigParser.Parse(text, fileName, baseDirectory, options);
}
