using System.Reflection;
using LogAgent.Core.Buffers;
using LogAgent.Core.Plugins;
using LogAgent.Core.Routing;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Engine;

/// <summary>
/// A read-only look at the running agent for monitoring (the <c>monitor_agent</c> input): every input, filter and
/// output with its id, type, configuration (secrets masked) and counters. Built-in plugins reach it through the
/// engine's plugin context; the SDK does not carry it, because a third-party plugin has no business with other
/// plugins' internals. Each read computes a fresh snapshot on the caller's thread: nothing here runs on the event path.
/// </summary>
public sealed class AgentStatus
{
    /// <summary>What a secret parameter's value is shown as (fluentd's Element#to_masked_element).</summary>
    public const string Mask = "xxxxxx";

    private readonly List<Entry> _plugins = new();
    private readonly Label _root;
    private readonly EngineOptions _options;
    private readonly SystemConfig _settings;

    internal AgentStatus(Label root, EngineOptions options, SystemConfig settings)
    {
        _root = root;
        _options = options;
        _settings = settings;
    }

    /// <summary>The config file the agent runs, as the host gave it; null when the engine was built from text.</summary>
    public string? ConfigPath => _options.ConfigPath;
    public IReadOnlyList<string> PluginDirectories => _options.PluginDirectories;
    public string? RootDirectory => _settings.RootDir;
    public bool WithoutSource => _settings.WithoutSource;
    public string? LogLevel => _settings.LogLevel;

    /// <summary>LogAgent's version (the core assembly's informational version, without a source revision).</summary>
    public static string Version { get; } =
        (typeof(AgentStatus).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
         ?? typeof(AgentStatus).Assembly.GetName().Version?.ToString() ?? "0").Split('+')[0];

    // Called while the engine configures (one thread, before anything starts); read-only afterwards, so readers on
    // other threads need no lock. A plugin is added before its own Configure, so a copy output comes before its stores.
    internal void Add(Plugin plugin, PluginKind kind, string type, ConfigSection section)
    {
        if (kind is PluginKind.Input or PluginKind.Filter or PluginKind.Output)
            _plugins.Add(new Entry(plugin, kind, type, MaskedParameters(plugin.GetType(), section)));
    }

    internal void AttachRunner(Plugin plugin, BufferedOutputRunner runner)
    {
        foreach (var entry in _plugins)
            if (ReferenceEquals(entry.Plugin, plugin)) entry.Runner = runner;
    }

    /// <summary>Every input, then every output (a copy's stores after it), then every filter, as fluentd lists them.</summary>
    public IReadOnlyList<PluginStatus> Plugins() =>
        _plugins.OrderBy(e => e.Kind switch { PluginKind.Input => 0, PluginKind.Output => 1, _ => 2 }).Select(Snapshot).ToList();

    /// <summary>The plugins of one class (the prometheus_tail_monitor input reads the tail inputs' files).</summary>
    internal IEnumerable<(T Plugin, string Type)> PluginsOf<T>() where T : Plugin =>
        _plugins.Where(e => e.Plugin is T).Select(e => ((T)e.Plugin, e.Type));

    /// <summary>
    /// The output of the top level's first <c>&lt;match&gt;</c> matching <paramref name="tag"/> (fluentd's
    /// plugin_info_by_tag, which does not look into labels either); null when none matches.
    /// </summary>
    public PluginStatus? OutputForTag(string tag)
    {
        var output = _root.Rules.FirstOrDefault(r => r.IsMatch && r.Pattern.Matches(tag))?.Output;
        var entry = _plugins.FirstOrDefault(e => ReferenceEquals(e.Plugin, output));
        return entry is null ? null : Snapshot(entry);
    }

    private static PluginStatus Snapshot(Entry entry)
    {
        BufferedOutputStatus? buffered = null;
        if (entry.Runner is { } runner)
        {
            var usage = runner.Metrics.Usage; // one look at the buffer (it takes the buffer's lock)
            buffered = new BufferedOutputStatus(runner.Metrics.EngineCounters(usage), usage.AvailableSpaceRatio, runner.ReadRetry());
        }
        EmitCounts? emits = entry.Kind is PluginKind.Input or PluginKind.Filter && entry.Plugin.Context is EnginePluginContext context
            ? new EmitCounts(context.Emits.Records, context.Emits.Bytes)
            : null;
        var metrics = entry.Plugin.Context.Metrics;
        var values = metrics.Snapshot();
        var gauges = values.Where(kv => metrics.IsGauge(kv.Key)).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        return new PluginStatus(entry.Plugin.Id ?? "", entry.Kind, entry.Type, entry.Config, buffered, values, emits, gauges.Count > 0 ? gauges : null);
    }

    /// <summary>
    /// Over every buffered output: failed writes (fluentd's num_errors, <c>retry_count</c>) and chunks given up on after
    /// their retries (handed to the secondary or dead letters), without taking any buffer's lock. What the health check
    /// watches.
    /// </summary>
    public (long Errors, long RetryFailures) OutputFailures()
    {
        long errors = 0, failures = 0;
        foreach (var entry in _plugins)
        {
            if (entry.Runner is not { } runner) continue;
            errors += runner.Metrics.RetryCount;
            failures += runner.Metrics.DeadLetterChunks;
        }
        return (errors, failures);
    }

    private static IReadOnlyList<KeyValuePair<string, string>> MaskedParameters(Type pluginType, ConfigSection section)
    {
        var secret = ParameterBinder.ParameterProperties(pluginType)
            .Where(p => p.Attribute.Secret)
            .SelectMany(p => p.Attribute.Aliases.Prepend(p.Attribute.Name))
            .ToHashSet(StringComparer.Ordinal);
        return section.Parameters.Select(p => KeyValuePair.Create(p.Key, secret.Contains(p.Key) ? Mask : p.Value)).ToList();
    }

    private sealed class Entry(Plugin plugin, PluginKind kind, string type, IReadOnlyList<KeyValuePair<string, string>> config)
    {
        public Plugin Plugin { get; } = plugin;
        public PluginKind Kind { get; } = kind;
        public string Type { get; } = type;
        public IReadOnlyList<KeyValuePair<string, string>> Config { get; } = config;
        public BufferedOutputRunner? Runner { get; set; }
    }
}

/// <summary>
/// One plugin at one moment. <see cref="Config"/> holds the element's own parameters as written, secrets masked
/// (nested sections are not shown, as in fluentd). <see cref="Buffered"/> is set for buffered outputs only;
/// <see cref="PluginCounters"/> are the plugin's own (<see cref="IPluginContext.Metrics"/>), possibly none;
/// <see cref="Emits"/> is set for inputs and filters.
/// </summary>
public sealed record PluginStatus(
    string Id,
    PluginKind Kind,
    string Type,
    IReadOnlyList<KeyValuePair<string, string>> Config,
    BufferedOutputStatus? Buffered,
    IReadOnlyList<KeyValuePair<string, long>> PluginCounters,
    EmitCounts? Emits = null,
    IReadOnlySet<string>? PluginGauges = null)
{
    /// <summary>Whether one of <see cref="PluginCounters"/> is a gauge (a value that goes down too).</summary>
    public bool IsGauge(string name) => PluginGauges?.Contains(name) ?? false;
}

/// <summary>What an input emitted or a filter passed on: records and their msgpack bytes (fluentd's emit_records, emit_size).</summary>
public sealed record EmitCounts(long Records, long Bytes);

/// <summary>A buffered output's engine counters (<see cref="OutputMetrics.EngineCounters(BufferUsage)"/>), its free
/// buffer space in percent, and its retry state while the destination is failing.</summary>
public sealed record BufferedOutputStatus(IReadOnlyList<KeyValuePair<string, long>> Counters, double AvailableSpaceRatio, RetryStatus? Retry);
