using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Routing;

/// <summary>
/// fluentd drops events whose tag matches no &lt;match&gt; with the warning "no patterns matched". A busy source would
/// repeat it per event, so it is logged the first time per tag and then at most once a minute with a count.
/// </summary>
internal sealed class UnmatchedTagWarning
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private const int MaxTrackedTags = 1024;

    private readonly ConcurrentDictionary<string, State> _tags = new(StringComparer.Ordinal);
    private readonly ILogger _log;
    private readonly string _label;

    public UnmatchedTagWarning(ILogger log, string label)
    {
        _log = log;
        _label = label;
    }

    public void Report(string tag, int events)
    {
        if (_tags.Count >= MaxTrackedTags && !_tags.ContainsKey(tag)) _tags.Clear();
        var state = _tags.GetOrAdd(tag, _ => new State());
        lock (state)
        {
            state.Dropped += events;
            var now = DateTime.UtcNow;
            if (state.LastWarned != default && now - state.LastWarned < Interval) return;
            _log.LogWarning("no patterns matched tag=\"{Tag}\" label={Label}: dropped {Count} events{Since}",
                tag, _label, state.Dropped, state.LastWarned == default ? "" : " in the last minute");
            state.LastWarned = now;
            state.Dropped = 0;
        }
    }

    private sealed class State
    {
        public DateTime LastWarned;
        public long Dropped;
    }
}
