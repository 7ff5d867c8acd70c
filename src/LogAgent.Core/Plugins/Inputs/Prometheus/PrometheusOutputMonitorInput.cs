using LogAgent.Core.Engine;
using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Inputs.Prometheus;

/// <summary>
/// fluent-plugin-prometheus's in_prometheus_output_monitor: every output's monitor_agent numbers as
/// <c>fluentd_output_status_*</c>, labelled plugin_id and type after the configured labels. Buffer numbers, rollback
/// count and retry wait are gauges; the running totals (retry_count, num_errors — both fluentd's num_errors —, emit,
/// write, flush counts) are gauges too with <c>gauge_all true</c> (the default), counters with false. retry_wait is the
/// seconds between the current retry run's start and its next retry (0 while not retrying). Unbuffered outputs have
/// only retry_wait (LogAgent keeps counters for buffered outputs); the timekey gauges are left out (no
/// buffer_timekeys in LogAgent's status).
/// </summary>
[Plugin(PluginKind.Input, "prometheus_output_monitor", "Every output's buffer, retry, emit and write numbers as Prometheus metrics fluentd_output_status_* (fluent-plugin-prometheus).")]
public sealed class PrometheusOutputMonitorInput : StatusMetricsInput
{
    [Parameter("gauge_all", "Expose the running totals as gauges (true, the plugin's default) or as counters.")]
    public bool GaugeAll { get; set; } = true;

    // in_prometheus_output_monitor.rb: metric name suffix, help, the monitor_agent key, and whether it is a running total.
    private static readonly (string Name, string Help, string Key, bool Total)[] BufferedMetrics =
    {
        ("buffer_total_bytes", "Current total size of stage and queue buffers.", "buffer_total_queued_size", false),
        ("buffer_stage_length", "Current length of stage buffers.", "buffer_stage_length", false),
        ("buffer_stage_byte_size", "Current total size of stage buffers.", "buffer_stage_byte_size", false),
        ("buffer_queue_length", "Current length of queue buffers.", "buffer_queue_length", false),
        ("buffer_queue_byte_size", "Current total size of queue buffers.", "buffer_queue_byte_size", false),
        ("retry_count", "Current retry counts.", "retry_count", true),
        ("num_errors", "Current number of errors.", "retry_count", true),
        ("write_count", "Current write counts.", "write_count", true),
        ("emit_count", "Current emit counts.", "emit_count", true),
        ("emit_records", "Current emit records.", "emit_records", true),
        ("rollback_count", "Current rollback counts.", "rollback_count", false),
        ("flush_time_count", "Total flush time.", "flush_time_count", true),
        ("slow_flush_count", "Current slow flush counts.", "slow_flush_count", true),
    };

    protected override void Collect(AgentStatus status, IReadOnlyList<KeyValuePair<string, string>> baseLabels, FamilySet families)
    {
        var totals = GaugeAll ? MetricType.Gauge : MetricType.Counter;
        foreach (var plugin in status.Plugins())
        {
            if (plugin.Kind != PluginKind.Output) continue;
            var labels = With(baseLabels, ("plugin_id", plugin.Id), ("type", plugin.Type));
            if (plugin.Buffered is { } buffered)
            {
                var counters = buffered.Counters.ToDictionary(kv => kv.Key, kv => kv.Value);
                foreach (var (name, help, key, total) in BufferedMetrics)
                {
                    families.Add("fluentd_output_status_" + name, total ? totals : MetricType.Gauge, help, labels, counters[key]);
                    if (name == "buffer_queue_byte_size")
                        families.Add("fluentd_output_status_buffer_available_space_ratio", MetricType.Gauge, "Ratio of available space in buffer.", labels, buffered.AvailableSpaceRatio);
                }
            }
            double wait = plugin.Buffered?.Retry is { } retry ? (retry.NextTime - retry.Start).TotalSeconds : 0;
            families.Add("fluentd_output_status_retry_wait", MetricType.Gauge, "Current retry wait", labels, wait);
        }
    }
}
