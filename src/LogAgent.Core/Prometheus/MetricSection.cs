using System.Globalization;
using LogAgent.Sdk.Config;

namespace LogAgent.Core.Prometheus;

/// <summary>
/// A <c>&lt;metric&gt;</c> of the prometheus filter or output (fluent-plugin-prometheus prometheus.rb Metric): what
/// to count or observe per event, under which name and labels.
/// </summary>
public sealed class MetricSection : IConfigurableSection
{
    [Parameter("name", "The metric's name.", Required = true)]
    public string Name { get; set; } = "";

    [Parameter("type", "counter (adds 1, or the key's value), gauge (sets the key's value), summary or histogram (observe the key's value).",
        Required = true, AllowedValues = new[] { "counter", "gauge", "summary", "histogram" })]
    public string Type { get; set; } = "";

    [Parameter("desc", "The metric's help text.", Required = true)]
    public string Desc { get; set; } = "";

    [Parameter("key", "The record field holding the value (a name, or $.a.b / $['a'] record accessor); a counter without it counts events.")]
    public string? Key { get; set; }

    [Parameter("buckets", "A histogram's bucket upper bounds, comma-separated (default .005,.01,.025,.05,.1,.25,.5,1,2.5,5,10).")]
    public string? Buckets { get; set; }

    [Parameter("initialized", "Create the series of each <initlabels> at 0 when the agent starts.")]
    public bool Initialized { get; set; }

    [Parameter("max_series_per_metric", "Most label sets this metric holds (0: no limit); overrides the plugin's.")]
    public int? MaxSeriesPerMetric { get; set; }

    [Section("labels", "Labels of this metric (added to the plugin's <labels>): text with ${tag}-style placeholders, or a $.field accessor.", FreeForm = true)]
    public Dictionary<string, string>? LabelsSection { get; set; }

    [Section("initlabels", "With initialized true: one label set to create at start, a value for each placeholder or accessor label.", FreeForm = true)]
    public Dictionary<string, string>? InitLabelsSection { get; set; }

    public MetricType MetricType => Type switch
    {
        "counter" => MetricType.Counter,
        "gauge" => MetricType.Gauge,
        "summary" => MetricType.Summary,
        _ => MetricType.Histogram,
    };

    /// <summary>The section itself, for its labels' order and error locations.</summary>
    public ConfigSection? Section { get; private set; }

    public void Configure(ConfigSection section)
    {
        Section = section;
        if (!MetricNames.IsValidMetricName(Name))
            throw new ConfigException($"'{Name}' is not a valid Prometheus metric name", section.Find("name")!);
        if (Key is null && MetricType != MetricType.Counter)
            throw new ConfigException($"{Type} metric requires 'key' option", section);
        if (Buckets is not null && MetricType != MetricType.Histogram)
            throw new ConfigException("buckets applies to a histogram only", section.Find("buckets")!);
    }

    /// <summary>The histogram buckets as written, or null for the default.</summary>
    public double[]? ParsedBuckets()
    {
        if (Buckets is null) return null;
        var bounds = new List<double>();
        foreach (var part in Buckets.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound))
                throw new ConfigException($"buckets: '{part}' is not a number", Section!.Find("buckets")!);
            bounds.Add(bound);
        }
        return bounds.ToArray();
    }
}
