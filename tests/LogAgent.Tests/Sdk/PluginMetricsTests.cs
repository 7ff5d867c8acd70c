using LogAgent.Sdk.Plugins;

namespace LogAgent.Tests.Sdk;

/// <summary>A plugin's own counters and gauges as the engine shows them.</summary>
public class PluginMetricsTests
{
    [Fact]
    public void Gauges_are_set_or_read_when_shown_and_listed_with_the_counters()
    {
        var metrics = new PluginMetrics();
        metrics.Counter("records_read.shard-0").Add(5);
        metrics.Gauge("millis_behind_latest.shard-0").Set(900);
        metrics.Gauge("millis_behind_latest.shard-0").Set(20);
        long age = 3;
        metrics.Gauge("checkpoint_age_seconds.shard-0", () => age);
        age = 7;

        Assert.Equal(
            [KeyValuePair.Create("checkpoint_age_seconds.shard-0", 7L), KeyValuePair.Create("millis_behind_latest.shard-0", 20L), KeyValuePair.Create("records_read.shard-0", 5L)],
            metrics.Snapshot());
        Assert.True(metrics.IsGauge("millis_behind_latest.shard-0"));
        Assert.True(metrics.IsGauge("checkpoint_age_seconds.shard-0"));
        Assert.False(metrics.IsGauge("records_read.shard-0"));

        metrics.RemoveGauge("checkpoint_age_seconds.shard-0");
        Assert.DoesNotContain(metrics.Snapshot(), kv => kv.Key.StartsWith("checkpoint_age", StringComparison.Ordinal));
    }
}
