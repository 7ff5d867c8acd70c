using LogAgent.Core.Plugins.Filters;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Prometheus;

/// <summary>
/// The &lt;metric&gt;s of one prometheus filter or output, and how an event stream updates them (prometheus.rb
/// instrument): per event, per metric, the labels are expanded and the value taken — a counter adds 1 or the key's
/// value, the others use the key's value; an event without the key (nil or false in Ruby) leaves the metric alone; a
/// value that is not a number, or a negative counter increment, is logged and the event goes to the error stream.
/// A new label set beyond max_series_per_metric is dropped and counted in
/// <c>fluentd_prometheus_dropped_label_sets_total{name}</c>, its warning logged at most once per
/// ignore_error_log_interval.
/// </summary>
internal sealed class RecordMetrics
{
    private const string DroppedName = "fluentd_prometheus_dropped_label_sets_total";
    private const string DroppedHelp = "The total number of records dropped because the metric reached max_series_per_metric.";

    private readonly Metric[] _metrics;
    private readonly PrometheusRegistry _registry;
    private readonly IPluginContext _context;
    private readonly ILogger _log;
    private readonly TimeSpan _warningInterval;
    private readonly Dictionary<string, DateTime> _lastWarning = new(StringComparer.Ordinal);

    private RecordMetrics(Metric[] metrics, PrometheusRegistry registry, IPluginContext context, ILogger log, TimeSpan warningInterval)
    {
        _metrics = metrics;
        _registry = registry;
        _context = context;
        _log = log;
        _warningInterval = warningInterval;
    }

    public int Count => _metrics.Length;

    private sealed record Metric(Instrument Instrument, MetricType Type, RecordAccessor? Key, ConfiguredLabels Labels);

    public static RecordMetrics Configure(ConfigSection plugin, IReadOnlyList<MetricSection> sections, PrometheusRegistry registry,
        IPluginContext context, ILogger log, int maxSeriesPerMetric, TimeSpan warningInterval)
    {
        var pluginLabels = ConfiguredLabels.Of(plugin);
        var metrics = new List<Metric>();
        foreach (var section in sections)
        {
            var where = section.Section ?? plugin;
            var labels = pluginLabels.MergedWith(ConfiguredLabels.Of(where));
            Instrument instrument;
            try
            {
                instrument = registry.Instrument(section.Name, section.MetricType, section.Desc, labels.Names, section.ParsedBuckets());
            }
            catch (ConfigException e) when (e.File is null)
            {
                throw new ConfigException(e.Reason, where);
            }
            int limit = section.MaxSeriesPerMetric ?? maxSeriesPerMetric;
            if (limit > 0 && (instrument.SeriesLimit == 0 || limit < instrument.SeriesLimit)) instrument.SeriesLimit = limit;
            RecordAccessor? key;
            try
            {
                key = section.Key is null ? null : RecordAccessor.Parse(section.Key);
            }
            catch (ConfigException e)
            {
                throw where.Find("key") is { } at ? new ConfigException(e.Reason, at) : new ConfigException(e.Reason, where);
            }
            if (section.Initialized) Initialize(instrument, labels, where, context);
            metrics.Add(new Metric(instrument, section.MetricType, key, labels));
        }
        return new RecordMetrics(metrics.ToArray(), registry, context, log, warningInterval);
    }

    // prometheus.rb parse_initlabels_elements: each <initlabels> names a value for every placeholder or accessor
    // label; the static labels keep their own value; the series is created at zero.
    private static void Initialize(Instrument instrument, ConfiguredLabels labels, ConfigSection section, IPluginContext context)
    {
        var blocks = section.SectionsNamed("initlabels").ToList();
        foreach (var block in blocks.Count > 0 ? blocks : new List<ConfigSection> { section })
        {
            var values = new string[labels.Labels.Count];
            for (int i = 0; i < values.Length; i++)
            {
                var (name, template) = labels.Labels[i];
                if (!ReferenceEquals(block, section) && block[name] is { } given) values[i] = given;
                else if (template.IsStatic) values[i] = template.Expand(null, null, context.Hostname, context.WorkerId);
                else throw new ConfigException($"RecordAccessor/Placeholder key {name} with value {template.Text} has not been set in a <initlabels> for initialized metric {instrument.Name}", section);
            }
            instrument.Touch(values);
        }
    }

    public void Instrument(EventStream stream)
    {
        foreach (var entry in stream)
        {
            var record = entry.DecodeRecord();
            foreach (var metric in _metrics)
            {
                try
                {
                    double value = 1;
                    if (metric.Key is not null)
                    {
                        var raw = metric.Key.Get(record);
                        if (raw is null or false) continue;
                        value = raw switch
                        {
                            long l => l,
                            int i => i,
                            double d => d,
                            ulong u => u,
                            float f => f,
                            _ => throw new ArgumentException("value must be a number"),
                        };
                    }
                    var labels = metric.Labels.Values(stream.Tag, record, _context.Hostname, _context.WorkerId);
                    metric.Instrument.Update(labels, value);
                }
                catch (SeriesLimitException e)
                {
                    DroppedLabelSet(metric.Instrument, e);
                }
                catch (Exception e) when (e is ArgumentException or RecordAccessException)
                {
                    _log.LogWarning("prometheus: failed to instrument a metric. error_class={Class} error=\"{Error}\" tag=\"{Tag}\" name=\"{Name}\"",
                        e.GetType().Name, e.Message, stream.Tag, metric.Instrument.Name);
                    _context.EmitError(stream.Tag, entry.Time, record, e);
                }
            }
        }
    }

    private void DroppedLabelSet(Instrument instrument, SeriesLimitException error)
    {
        try
        {
            _registry.Instrument(DroppedName, MetricType.Counter, DroppedHelp, new[] { "name" }).Update(new[] { instrument.Name }, 1);
        }
        catch (ConfigException) { } // a <metric> of that name with other labels: the drop is still logged
        var now = DateTime.UtcNow;
        lock (_lastWarning)
        {
            if (_lastWarning.TryGetValue(instrument.Name, out var last) && now - last < _warningInterval) return;
            _lastWarning[instrument.Name] = now;
        }
        _log.LogWarning("prometheus: dropped a label set because the metric reached max_series_per_metric. name={Name} max_series_per_metric={Limit} ({Error})",
            instrument.Name, instrument.SeriesLimit, error.Message);
    }
}
