using LogAgent.Core.Engine;
using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Inputs.Prometheus;

/// <summary>
/// LogAgent's own metrics, which fluent-plugin-prometheus has no input for, served by the <c>prometheus</c> input
/// unless <c>agent_metrics false</c>. Named after monitor_agent's keys the way the plugin names the output ones
/// (<c>fluentd_CATEGORY_status_KEY</c>), as counters: <c>fluentd_input_status_emit_records</c> /
/// <c>…_emit_size</c> (records and msgpack bytes each input emitted) and <c>fluentd_filter_status_emit_records</c> /
/// <c>…_emit_size</c> (what each filter passed on), labelled plugin_id and type; and every plugin's own counters
/// (<c>plugin_metrics</c> in monitor_agent: the Kinesis outputs' records_sent, records_failed.CODE, …; gauges such as
/// the Kinesis input's millis_behind_latest.SHARD typed gauge) as
/// <c>logagent_plugin_NAME</c>, labelled plugin_id, plugin_category and type, the part of a counter's name after its
/// first dot (an error code, a shard id) as label <c>key</c>. The docs' recipe
/// <c>fluentd_input_status_num_records_total</c> is a user-defined metric and keeps its name free.
/// </summary>
internal static class AgentMetrics
{
    public static IEnumerable<MetricFamily> Collect(AgentStatus status)
    {
        var families = new FamilySet();
        foreach (var plugin in status.Plugins())
        {
            var category = PluginRegistry.KindName(plugin.Kind);
            if (plugin.Emits is { } emits)
            {
                var labels = new[] { KeyValuePair.Create("plugin_id", plugin.Id), KeyValuePair.Create("type", plugin.Type) };
                var what = plugin.Kind == PluginKind.Input ? "emitted" : "passed on";
                families.Add($"fluentd_{category}_status_emit_records", MetricType.Counter, $"Records the {category} {what}.", labels, emits.Records);
                families.Add($"fluentd_{category}_status_emit_size", MetricType.Counter, $"Bytes (msgpack) of the records the {category} {what}.", labels, emits.Bytes);
            }
            foreach (var (counter, value) in plugin.PluginCounters)
            {
                int dot = counter.IndexOf('.');
                var name = "logagent_plugin_" + MetricNames.Sanitize(dot < 0 ? counter : counter[..dot]);
                var labels = new List<KeyValuePair<string, string>>
                {
                    KeyValuePair.Create("plugin_id", plugin.Id), KeyValuePair.Create("plugin_category", category), KeyValuePair.Create("type", plugin.Type),
                };
                if (dot >= 0) labels.Add(KeyValuePair.Create("key", counter[(dot + 1)..]));
                bool gauge = plugin.IsGauge(counter);
                families.Add(name, gauge ? MetricType.Gauge : MetricType.Counter,
                    $"The plugin's own {(gauge ? "gauge" : "counter")} {(dot < 0 ? counter : counter[..dot])}.", labels, value);
            }
        }
        return families.Families();
    }
}
