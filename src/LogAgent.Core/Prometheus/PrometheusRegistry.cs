using LogAgent.Sdk.Config;

namespace LogAgent.Core.Prometheus;

/// <summary>
/// The metrics one engine serves to Prometheus: what fluent-plugin-prometheus keeps in the Ruby client's process-wide
/// registry, scoped here to the engine (a reload builds a new engine, and a new registry, as fluentd's restarted
/// workers do). Two kinds of content: <see cref="Instrument"/>s that the prometheus filter and output update per
/// event, and collectors that compute families when scraped (the prometheus_*monitor inputs, over the agent's
/// status). Everything is registered while the engine configures (one thread); scrapes may run on any thread.
/// </summary>
public sealed class PrometheusRegistry
{
    private readonly Dictionary<string, Instrument> _instruments = new(StringComparer.Ordinal);
    private readonly List<Func<IEnumerable<MetricFamily>>> _collectors = new();
    private readonly object _lock = new();

    /// <summary>
    /// The instrument named <paramref name="name"/>, created the first time. Several &lt;metric&gt; sections with the
    /// same name share one instrument (the Ruby client keys metrics by name), so a later one must agree on type, help
    /// and labels; otherwise <see cref="ConfigException"/>, as the plugin's AlreadyRegisteredError.
    /// </summary>
    public Instrument Instrument(string name, MetricType type, string help, IReadOnlyList<string> labelNames, double[]? buckets = null)
    {
        lock (_lock)
        {
            if (_instruments.TryGetValue(name, out var existing))
            {
                if (existing.Type != type)
                    throw new ConfigException($"{name} has already been registered as {existing.Type.ToString().ToLowerInvariant()} type");
                if (existing.Help != help) throw new ConfigException($"{name} has already been registered with different docstring");
                if (!existing.LabelNames.SequenceEqual(labelNames, StringComparer.Ordinal))
                    throw new ConfigException($"{name} has already been registered with labels {string.Join(",", existing.LabelNames)}");
                return existing;
            }
            var instrument = new Instrument(name, type, help, labelNames, buckets);
            _instruments[name] = instrument;
            return instrument;
        }
    }

    /// <summary>Adds families computed at every scrape.</summary>
    public void AddCollector(Func<IEnumerable<MetricFamily>> collector)
    {
        lock (_lock) _collectors.Add(collector);
    }

    /// <summary>Every family now: the instruments in registration order, then each collector's, merged by name.</summary>
    public IReadOnlyList<MetricFamily> Collect()
    {
        List<Instrument> instruments;
        List<Func<IEnumerable<MetricFamily>>> collectors;
        lock (_lock)
        {
            instruments = _instruments.Values.ToList();
            collectors = _collectors.ToList();
        }
        var families = instruments.Select(i => i.Collect()).ToList();
        foreach (var collector in collectors) families.AddRange(collector());
        return PrometheusText.Merge(families);
    }
}
