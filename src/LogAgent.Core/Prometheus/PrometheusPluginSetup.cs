using LogAgent.Core.Engine;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Prometheus;

/// <summary>What the prometheus plugins share at configure time: reaching the engine's registry, and the filter's and
/// output's &lt;metric&gt;s.</summary>
internal static class PrometheusPluginSetup
{
    /// <summary>The engine's <see cref="PrometheusRegistry"/>, an engine service for built-in plugins (not in the SDK).</summary>
    public static PrometheusRegistry Registry(Plugin plugin, ConfigSection config) =>
        (plugin.Context as EnginePluginContext)?.Prometheus
        ?? throw new ConfigException($"{config.PluginType} runs only inside the LogAgent engine", config);

    public static RecordMetrics Metrics(Plugin plugin, ConfigSection config, IReadOnlyList<MetricSection> sections, int maxSeriesPerMetric, double ignoreErrorLogInterval)
    {
        return RecordMetrics.Configure(config, sections, Registry(plugin, config), plugin.Context, plugin.Context.Logger,
            maxSeriesPerMetric, TimeSpan.FromSeconds(ignoreErrorLogInterval));
    }
}
