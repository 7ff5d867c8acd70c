using System.Collections.Concurrent;

namespace LogAgent.Sdk.Plugins;

/// <summary>
/// A plugin's own counters (records sent, failures by error code, bytes, call latency as a sum …), kept by the
/// engine beside its own per-output counters and shown with them. A plugin asks for a counter by name once and
/// adds to it from any thread. Names are the plugin's choice; <c>snake_case</c> like fluentd's monitor_agent keys.
/// Counters only, on purpose: a distribution is two counters (a sum and a count), which any monitoring system can
/// divide, and nothing here needs a histogram library.
/// </summary>
public sealed class PluginMetrics
{
    private readonly ConcurrentDictionary<string, MetricCounter> _counters = new(StringComparer.Ordinal);

    /// <summary>The counter named <paramref name="name"/>, created at 0 the first time it is asked for.</summary>
    public MetricCounter Counter(string name) => _counters.GetOrAdd(name, static _ => new MetricCounter());

    /// <summary>Every counter's current value, by name in ordinal order.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Snapshot() =>
        _counters.Select(kv => KeyValuePair.Create(kv.Key, kv.Value.Value)).OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
}

/// <summary>A counter that only goes up; safe to add to from several flush threads at once.</summary>
public sealed class MetricCounter
{
    private long _value;

    public long Value => Interlocked.Read(ref _value);
    public void Add(long amount) => Interlocked.Add(ref _value, amount);
    public void Increment() => Interlocked.Increment(ref _value);
}
