using LogAgent.Core.Engine;
using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Inputs.Prometheus;

/// <summary>
/// What the prometheus_*monitor inputs share: <c>interval</c>, static <c>&lt;labels&gt;</c> (<c>${hostname}</c> and
/// <c>${worker_id}</c> expand; a record accessor is refused, as in the plugin), and a collector in the engine's
/// <see cref="PrometheusRegistry"/> over <see cref="AgentStatus"/>. The plugin samples monitor_agent's numbers into
/// gauges every <c>interval</c> and a scrape reads the last sample; here the collector computes them when scraped,
/// which gives the numbers the next sample would have held (never older than the scrape, the same in steady state),
/// and costs nothing while nobody scrapes. <c>interval</c> is accepted and validated for compatibility.
/// </summary>
public abstract class StatusMetricsInput : InputPlugin
{
    [Parameter("interval", "How often fluent-plugin-prometheus samples; LogAgent computes the metrics at each scrape instead.", Kind = ParameterKind.Time)]
    public double Interval { get; set; } = 5;

    [Section("labels", "Labels added to every metric: text, with ${hostname} and ${worker_id} expanded.", FreeForm = true)]
    public Dictionary<string, string>? Labels { get; set; }

    public override void Configure(ConfigSection config)
    {
        if (!(Interval > 0)) throw new ConfigException($"interval must be positive, got {Interval}", config.Find("interval")!);
        var labels = ConfiguredLabels.Of(config);
        if (labels.Labels.Any(l => l.Value.IsAccessor))
            throw new ConfigException($"record accessor syntax is not available in {config.PluginType}", config);
        var baseLabels = labels.StaticPairs(Context.Hostname, Context.WorkerId);
        var status = (Context as EnginePluginContext)?.AgentStatus
            ?? throw new ConfigException($"{config.PluginType} runs only inside the LogAgent engine", config);
        PrometheusPluginSetup.Registry(this, config).AddCollector(() =>
        {
            var families = new FamilySet();
            Collect(status, baseLabels, families);
            return families.Families();
        });
    }

    /// <summary>Adds this input's samples, each with <paramref name="baseLabels"/> first.</summary>
    protected abstract void Collect(AgentStatus status, IReadOnlyList<KeyValuePair<string, string>> baseLabels, FamilySet families);

    protected static IReadOnlyList<KeyValuePair<string, string>> With(IReadOnlyList<KeyValuePair<string, string>> baseLabels, params (string Name, string Value)[] more)
    {
        var labels = baseLabels.ToList();
        foreach (var (name, value) in more)
        {
            int at = labels.FindIndex(l => l.Key == name);
            if (at >= 0) labels[at] = KeyValuePair.Create(name, value);
            else labels.Add(KeyValuePair.Create(name, value));
        }
        return labels;
    }
}
