using LogAgent.Plugins.Kinesis.Batching;

namespace LogAgent.Plugins.Kinesis.Pacing;

/// <summary>
/// Shapes put calls so that no shard is sent more than its <see cref="ShardBudget"/> (issue 6, item 5): each call
/// takes, in order, the records whose shard still has room, within the call's <see cref="BatchLimits"/>. A record
/// whose shard is out of room waits, and so do the later records of that shard (a shard's records stay in order:
/// Kinesis orders a shard's records by arrival), while the records of other shards go. A record whose shard is not
/// known (no shard map, or a map that does not cover its key) is not paced. Records given back with
/// <see cref="Return"/> (a retry) go back to their place, ahead of their shard's later records.
/// </summary>
public sealed class PacedBatcher
{
    private readonly List<Pending> _pending;
    private readonly Dictionary<OutgoingRecord, Pending> _byRecord = new(ReferenceEqualityComparer.Instance);
    private readonly BatchLimits _limits;

    public PacedBatcher(IEnumerable<(OutgoingRecord Record, string? ShardId)> records, BatchLimits limits)
    {
        _limits = limits;
        _pending = records.Select((r, i) => new Pending(r.Record, r.ShardId, i)).ToList();
        foreach (var p in _pending) _byRecord[p.Record] = p;
    }

    public bool IsEmpty => _pending.Count == 0;
    public int Count => _pending.Count;

    /// <summary>The shard a record was mapped to (null: not paced).</summary>
    public string? ShardOf(OutgoingRecord record) => _byRecord[record].ShardId;

    /// <summary>
    /// The next put call's records, taken from <paramref name="budget"/> for <paramref name="put"/>. Empty when no
    /// record can go now; <paramref name="wait"/> then says how long until one can.
    /// </summary>
    public List<OutgoingRecord> Take(ShardBudget budget, ShardBudget.Put put, out TimeSpan wait)
    {
        var batch = new List<OutgoingRecord>();
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        wait = TimeSpan.MaxValue;
        foreach (var p in _pending)
        {
            if (batch.Count >= _limits.MaxCount) break;
            var group = p.ShardId ?? "";
            if (blocked.Contains(group)) continue;
            if (batch.Count > 0 && bytes + p.Record.Size > _limits.MaxBytes)
            {
                blocked.Add(group); // a smaller later record of the same shard must not overtake it
                continue;
            }
            if (p.ShardId is null || budget.TryTake(put, p.ShardId, p.Record.Size))
            {
                p.Taken = true;
                batch.Add(p.Record);
                bytes += p.Record.Size;
            }
            else
            {
                blocked.Add(group);
                var w = budget.WaitFor(p.ShardId, p.Record.Size);
                if (w < wait) wait = w;
            }
        }
        if (batch.Count > 0) _pending.RemoveAll(p => p.Taken);
        if (batch.Count > 0 || wait == TimeSpan.MaxValue) wait = TimeSpan.Zero;
        return batch;
    }

    /// <summary>A record to send again: it goes back to its place among the records not yet sent.</summary>
    public void Return(OutgoingRecord record)
    {
        var p = _byRecord[record];
        p.Taken = false;
        int at = _pending.BinarySearch(p, OrderComparer.Instance);
        _pending.Insert(at < 0 ? ~at : at, p);
    }

    private sealed class Pending(OutgoingRecord record, string? shardId, int order)
    {
        public OutgoingRecord Record { get; } = record;
        public string? ShardId { get; } = shardId;
        public int Order { get; } = order;
        public bool Taken;
    }

    private sealed class OrderComparer : IComparer<Pending>
    {
        public static readonly OrderComparer Instance = new();
        public int Compare(Pending? x, Pending? y) => x!.Order.CompareTo(y!.Order);
    }
}
