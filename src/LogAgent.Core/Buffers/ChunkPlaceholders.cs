using System.Text;
using System.Text.RegularExpressions;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Core.Buffers;

/// <summary>
/// Buffer placeholders in output parameters, resolved per chunk (lib/fluent/plugin/output.rb
/// extract_placeholders and placeholder_validate!): strftime directives from the chunk's time slice, <c>${tag}</c>
/// and <c>${tag[N]}</c> from its tag, <c>${KEY}</c> from its record-key chunk keys.
/// </summary>
public static partial class ChunkPlaceholders
{
    [GeneratedRegex(@"\$\{tag(?:\[(-?\d+)\])?\}")]
    private static partial Regex TagPlaceholder();

    [GeneratedRegex(@"\$\{([^}\[]+|\$[^}]+)\}")]
    private static partial Regex KeyPlaceholder();

    [GeneratedRegex(@"%[-_0^#]?\d*[a-zA-Z%]|%:z")]
    private static partial Regex TimePlaceholder();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, RubyTimeFormat> CompiledFormats = new(StringComparer.Ordinal);

    public static bool HasTimePlaceholder(string template) => TimePlaceholder().Matches(template).Any(m => m.Value != "%%");

    /// <summary>Checks a parameter against the chunk keys, with fluentd's error messages.</summary>
    public static void Validate(string parameterName, string template, ChunkKeys keys, ConfigParameter? at, ConfigSection section)
    {
        ConfigException Error(string message) => at is null ? new ConfigException(message, section) : new ConfigException(message, at);
        if (TagPlaceholder().IsMatch(template) && !keys.HasTag)
            throw Error($"Parameter '{parameterName}: {template}' has tag placeholders, but chunk key 'tag' is not configured");
        if (HasTimePlaceholder(template) && !keys.HasTime)
            throw Error($"Parameter '{parameterName}: {template}' has timestamp placeholders, but chunk key 'time' is not configured");
        var names = keys.RecordKeyNames.ToHashSet(StringComparer.Ordinal);
        var missing = KeyPlaceholder().Matches(template).Select(m => m.Groups[1].Value)
            .Where(n => n != "tag" && !n.StartsWith("tag[") && !names.Contains(n)).Distinct().ToList();
        if (missing.Count > 0)
            throw Error($"Parameter '{parameterName}: {template}' has placeholders, but chunk keys doesn't have keys {string.Join(",", missing)}");
    }

    public static string Expand(string template, ChunkMetadata metadata, RubyTimeZone zone)
    {
        if (template.IndexOf('$') < 0 && template.IndexOf('%') < 0) return template;
        var result = template;
        if (metadata.Timekey is { } timekey && result.IndexOf('%') >= 0)
        {
            var sb = new StringBuilder();
            // Templates are a handful of output parameters: compile each once, not on every chunk written.
            CompiledFormats.GetOrAdd(result, RubyTimeFormat.Compile).Format(new EventTime((uint)timekey, 0), zone, sb);
            result = sb.ToString();
        }
        if (metadata.Tag is { } tag)
        {
            var parts = tag.Split('.');
            result = TagPlaceholder().Replace(result, m =>
            {
                if (!m.Groups[1].Success) return tag;
                int index = int.Parse(m.Groups[1].Value);
                if (index < 0) index += parts.Length;
                return index >= 0 && index < parts.Length ? parts[index] : "";
            });
        }
        if (metadata.Variables.Count > 0)
            result = KeyPlaceholder().Replace(result, m => metadata.Variables.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
        return result;
    }
}
