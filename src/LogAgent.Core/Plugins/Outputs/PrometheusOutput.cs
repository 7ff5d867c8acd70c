using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// fluent-plugin-prometheus's out_prometheus: updates its &lt;metric&gt;s from every event (<see cref="RecordMetrics"/>)
/// and keeps nothing else — usually a <c>copy</c> store beside the real destination. Served by the <c>prometheus</c> input.
/// </summary>
[Plugin(PluginKind.Output, "prometheus", "Counts or observes record values as Prometheus metrics (fluent-plugin-prometheus); the events go no further.")]
public sealed class PrometheusOutput : OutputPlugin
{
    private RecordMetrics? _metrics;

    [Section("metric", "One metric: name, type, desc, key, <labels>.")]
    public List<MetricSection> Metrics { get; set; } = new();

    [Section("labels", "Labels of every metric of this plugin.", FreeForm = true)]
    public Dictionary<string, string>? Labels { get; set; }

    [Parameter("max_series_per_metric", "Most label sets a metric holds; further ones are dropped and counted (0: no limit).")]
    public int MaxSeriesPerMetric { get; set; }

    [Parameter("ignore_error_log_interval", "How often the warning about dropped label sets is logged at most.", Kind = ParameterKind.Time)]
    public double IgnoreErrorLogInterval { get; set; } = 3600;

    public override void Configure(ConfigSection config) =>
        _metrics = PrometheusPluginSetup.Metrics(this, config, Metrics, MaxSeriesPerMetric, IgnoreErrorLogInterval);

    public override void Emit(EventStream stream) => _metrics?.Instrument(stream);
}
