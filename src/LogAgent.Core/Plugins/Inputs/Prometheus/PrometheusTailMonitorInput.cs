using LogAgent.Core.Engine;
using LogAgent.Core.Plugins.Inputs.Tail;
using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Plugins.Inputs.Prometheus;

/// <summary>
/// fluent-plugin-prometheus's in_prometheus_tail_monitor, its two gauges: <c>fluentd_tail_file_position</c> (the
/// committed offset of the file each tail input is reading, what the pos file holds) and <c>fluentd_tail_file_inode</c>,
/// labelled plugin_id, type and path after the configured labels. The plugin's opened/closed/rotated/throttled
/// counters are not kept by LogAgent's tail input.
/// </summary>
[Plugin(PluginKind.Input, "prometheus_tail_monitor", "The position and inode of every file the tail inputs read, as Prometheus gauges (fluent-plugin-prometheus).")]
public sealed class PrometheusTailMonitorInput : StatusMetricsInput
{
    protected override void Collect(AgentStatus status, IReadOnlyList<KeyValuePair<string, string>> baseLabels, FamilySet families)
    {
        foreach (var (tail, type) in status.PluginsOf<TailInput>())
        {
            foreach (var follower in tail.Followers)
            {
                TailedFile? file;
                try
                {
                    file = follower.Current; // the tail thread may be rotating it: then this file is skipped for one scrape
                }
                catch (ArgumentOutOfRangeException)
                {
                    continue;
                }
                if (file is null) continue;
                var labels = With(baseLabels, ("plugin_id", tail.Id ?? ""), ("type", type), ("path", file.Path));
                families.Add("fluentd_tail_file_position", MetricType.Gauge, "Current position of file.", labels, file.CommittedOffset);
                families.Add("fluentd_tail_file_inode", MetricType.Gauge, "Current inode of file.", labels, file.Inode);
            }
        }
    }
}
