namespace LogAgent.Core.Prometheus;

/// <summary>
/// A metric that events update (fluent-plugin-prometheus's &lt;metric&gt;, held by the Ruby client's registry): a
/// counter adds, a gauge sets, a summary keeps sum and count (the Ruby client 2.x exposes no quantiles), a histogram
/// counts observations into cumulative buckets. One series per distinct label-value tuple, created on first use;
/// with <see cref="SeriesLimit"/> above 0 a new tuple beyond it is refused (<see cref="SeriesLimitException"/>).
/// Updates take the instrument's lock: a filter instruments per event, and a scrape reads every series at once.
/// </summary>
public sealed class Instrument
{
    /// <summary>The Ruby client's default histogram buckets (Prometheus::Client::Histogram::DEFAULT_BUCKETS).</summary>
    public static readonly double[] DefaultBuckets = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

    private readonly Dictionary<string[], double[]> _series = new(LabelValuesComparer.Instance);
    private readonly List<string[]> _order = new();
    private readonly object _lock = new();

    public Instrument(string name, MetricType type, string help, IReadOnlyList<string> labelNames, double[]? buckets = null)
    {
        Name = name;
        Type = type;
        Help = help;
        LabelNames = labelNames.ToArray();
        Buckets = type == MetricType.Histogram ? (buckets ?? DefaultBuckets).Order().ToArray() : Array.Empty<double>();
    }

    public string Name { get; }
    public MetricType Type { get; }
    public string Help { get; }
    public IReadOnlyList<string> LabelNames { get; }
    public IReadOnlyList<double> Buckets { get; }

    /// <summary>Most distinct label sets this metric holds (0: no limit); the strictest limit any section asks for.</summary>
    public int SeriesLimit { get; set; }

    public int SeriesCount { get { lock (_lock) return _series.Count; } }

    /// <summary>Creates the series of <paramref name="labelValues"/> at zero if it does not exist (&lt;initlabels&gt;).</summary>
    public void Touch(string[] labelValues)
    {
        lock (_lock)
        {
            if (!_series.ContainsKey(labelValues)) NewSeries(labelValues);
        }
    }

    /// <summary>Counter: adds <paramref name="value"/> (which must not be negative); gauge: sets it; summary and
    /// histogram: observes it.</summary>
    public void Update(string[] labelValues, double value)
    {
        if (labelValues.Length != LabelNames.Count)
            throw new ArgumentException($"{Name} has {LabelNames.Count} labels, got {labelValues.Length} values");
        if (Type == MetricType.Counter && value < 0) throw new ArgumentOutOfRangeException(nameof(value), $"{Name}: a counter can only increase, got {value}");
        lock (_lock)
        {
            if (!_series.TryGetValue(labelValues, out var values))
            {
                if (SeriesLimit > 0 && _series.Count >= SeriesLimit)
                    throw new SeriesLimitException($"{Name} reached max_series_per_metric ({SeriesLimit})");
                values = NewSeries(labelValues);
            }
            switch (Type)
            {
                case MetricType.Counter: values[0] += value; break;
                case MetricType.Gauge: values[0] = value; break;
                default:
                    values[0] += value;
                    values[1] += 1;
                    for (int i = 0; i < Buckets.Count; i++)
                        if (value <= Buckets[i]) values[2 + i] += 1;
                    break;
            }
        }
    }

    // Under the lock. counter/gauge: [value]; summary: [sum, count]; histogram: [sum, count, bucket counts…].
    private double[] NewSeries(string[] labelValues)
    {
        var values = new double[Type switch { MetricType.Summary => 2, MetricType.Histogram => 2 + Buckets.Count, _ => 1 }];
        _series[labelValues] = values;
        _order.Add(labelValues);
        return values;
    }

    /// <summary>Every series as samples, in the order the series first appeared.</summary>
    public MetricFamily Collect()
    {
        var samples = new List<MetricSample>();
        lock (_lock)
        {
            foreach (var labelValues in _order)
            {
                var values = _series[labelValues];
                var labels = LabelNames.Select((name, i) => KeyValuePair.Create(name, labelValues[i])).ToList();
                switch (Type)
                {
                    case MetricType.Counter or MetricType.Gauge:
                        samples.Add(MetricSample.Of(labels, values[0]));
                        break;
                    case MetricType.Summary:
                        samples.Add(new MetricSample("_sum", labels, values[0]));
                        samples.Add(new MetricSample("_count", labels, values[1]));
                        break;
                    default:
                        for (int i = 0; i < Buckets.Count; i++)
                            samples.Add(new MetricSample("_bucket", labels.Append(KeyValuePair.Create("le", PrometheusText.FormatValue(Buckets[i]))).ToList(), values[2 + i]));
                        samples.Add(new MetricSample("_bucket", labels.Append(KeyValuePair.Create("le", "+Inf")).ToList(), values[1]));
                        samples.Add(new MetricSample("_sum", labels, values[0]));
                        samples.Add(new MetricSample("_count", labels, values[1]));
                        break;
                }
            }
        }
        return new MetricFamily(Name, Type, Help, samples);
    }

    private sealed class LabelValuesComparer : IEqualityComparer<string[]>
    {
        public static readonly LabelValuesComparer Instance = new();

        public bool Equals(string[]? x, string[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] values)
        {
            var hash = new HashCode();
            foreach (var value in values) hash.Add(value, StringComparer.Ordinal);
            return hash.ToHashCode();
        }
    }
}

/// <summary>A new label set was refused because the metric holds max_series_per_metric already.</summary>
public sealed class SeriesLimitException(string message) : Exception(message);
