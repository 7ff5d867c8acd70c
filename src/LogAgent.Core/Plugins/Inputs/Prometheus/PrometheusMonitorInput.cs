using LogAgent.Core.Engine;
using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Inputs.Prometheus;

/// <summary>
/// fluent-plugin-prometheus's in_prometheus_monitor: monitor_agent's buffer_queue_length, buffer_total_queued_size and
/// retry_count of every plugin that has them (buffered outputs) as gauges <c>fluentd_status_buffer_queue_length</c>,
/// <c>fluentd_status_buffer_total_bytes</c>, <c>fluentd_status_retry_count</c>, labelled plugin_id, plugin_category
/// and type after the configured labels. (The timekey gauges are left out: LogAgent's status has no buffer_timekeys.)
/// </summary>
[Plugin(PluginKind.Input, "prometheus_monitor", "Buffer queue length, buffer bytes and retry count of every buffered plugin as Prometheus gauges (fluent-plugin-prometheus).")]
public sealed class PrometheusMonitorInput : StatusMetricsInput
{
    protected override void Collect(AgentStatus status, IReadOnlyList<KeyValuePair<string, string>> baseLabels, FamilySet families)
    {
        foreach (var plugin in status.Plugins())
        {
            if (plugin.Buffered is not { } buffered) continue;
            var labels = With(baseLabels, ("plugin_id", plugin.Id), ("plugin_category", PluginRegistry.KindName(plugin.Kind)), ("type", plugin.Type));
            var counters = buffered.Counters.ToDictionary(kv => kv.Key, kv => kv.Value);
            families.Add("fluentd_status_buffer_queue_length", MetricType.Gauge, "Current buffer queue length.", labels, counters["buffer_queue_length"]);
            families.Add("fluentd_status_buffer_total_bytes", MetricType.Gauge, "Current total size of queued buffers.", labels, counters["buffer_total_queued_size"]);
            families.Add("fluentd_status_retry_count", MetricType.Gauge, "Current retry counts.", labels, counters["retry_count"]);
        }
    }
}
