using System.Collections.Concurrent;

namespace LogAgent.Sdk.Plugins;

/// <summary>
/// A plugin's own counters (records sent, failures by error code, bytes, call latency as a sum …), kept by the
/// engine beside its own per-output counters and shown with them. A plugin asks for a counter by name once and
/// adds to it from any thread. Names are the plugin's choice; <c>snake_case</c> like fluentd's monitor_agent keys.
/// Counters and gauges, on purpose no more: a distribution is two counters (a sum and a count), which any monitoring
/// system can divide, and nothing here needs a histogram library. A gauge is a value that goes up and down (a
/// consumer's lag behind the stream's tip), set by the plugin or read from it when shown.
/// </summary>
public sealed class PluginMetrics
{
    private readonly ConcurrentDictionary<string, MetricCounter> _counters = new(StringComparer.Ordinal);

    /// <summary>The counter named <paramref name="name"/>, created at 0 the first time it is asked for.</summary>
    public MetricCounter Counter(string name) => _counters.GetOrAdd(name, static _ => new MetricCounter());

    private readonly ConcurrentDictionary<string, MetricGauge> _gauges = new(StringComparer.Ordinal);

    /// <summary>The gauge named <paramref name="name"/>, created at 0 the first time it is asked for.</summary>
    public MetricGauge Gauge(string name) => _gauges.GetOrAdd(name, static _ => new MetricGauge(null));

    /// <summary>A gauge whose value is read from <paramref name="read"/> each time metrics are shown (an age, a size).</summary>
    public void Gauge(string name, Func<long> read) => _gauges[name] = new MetricGauge(read);

    /// <summary>Forgets a gauge (what it measured is gone: a shard that left the stream).</summary>
    public void RemoveGauge(string name) => _gauges.TryRemove(name, out _);

    /// <summary>Whether <paramref name="name"/> is a gauge (else a counter), for exporters that tell them apart.</summary>
    public bool IsGauge(string name) => _gauges.ContainsKey(name);

    /// <summary>Every counter's and gauge's current value, by name in ordinal order.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Snapshot() =>
        _counters.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Value))
            .Concat(_gauges.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Value)))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
}

/// <summary>A value that goes up and down: set from any thread, or read from the plugin when shown.</summary>
public sealed class MetricGauge
{
    private readonly Func<long>? _read;
    private long _value;

    internal MetricGauge(Func<long>? read) => _read = read;

    public long Value => _read?.Invoke() ?? Interlocked.Read(ref _value);
    public void Set(long value) => Interlocked.Exchange(ref _value, value);
}

/// <summary>A counter that only goes up; safe to add to from several flush threads at once.</summary>
public sealed class MetricCounter
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);
    public void Add(long amount) => Interlocked.Add(ref _value, amount);
    public void Increment() => Interlocked.Increment(ref _value);
}
