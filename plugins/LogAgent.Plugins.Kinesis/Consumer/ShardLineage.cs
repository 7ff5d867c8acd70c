using LogAgent.Plugins.Kinesis.Aws;

namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>Where a consumer starts a stream it has no checkpoint for (<c>initial_position</c>).</summary>
public enum InitialPosition { TrimHorizon, Latest, AtTimestamp }

/// <summary>A shard to read now and where its iterator starts; <see cref="SkipThrough"/> is the last sub-record of the
/// start record already emitted (an aggregate emitted in part), null when nothing of it is to be skipped.</summary>
public sealed record ShardStart(string ShardId, ShardIteratorStart Start, long? SkipThrough, IReadOnlyList<string> Parents);

/// <summary>What a listing means for the state file: shards to start, and checkpoints of shards no longer listed.</summary>
public sealed record LineagePlan(IReadOnlyList<ShardStart> Ready, IReadOnlyList<string> Finished, IReadOnlyList<string> Vanished);

/// <summary>
/// Decides, from a ListShards answer and the checkpoints, which shards may be read now (KCL's BlockOnParentShardTask):
/// a child only once every parent it names (two for a merge) is at SHARD_END, so the records of a partition key come
/// in order across a split or merge; a parent no longer listed (trimmed) does not block. An unread shard whose parent
/// was read starts at TRIM_HORIZON (it holds the lineage's next records); one with no read ancestor starts at
/// <c>initial_position</c>, and under LATEST a closed shard with no read ancestor is passed over (nothing new will
/// arrive in it). Checkpoints of shards that left the listing are <see cref="LineagePlan.Finished"/> (at SHARD_END: drop
/// them) or <see cref="LineagePlan.Vanished"/> (still open: their remaining records were trimmed before being read).
/// </summary>
public static class ShardLineage
{
    public static LineagePlan Plan(IReadOnlyList<KinesisShard> listed, IReadOnlyDictionary<string, ShardCheckpoint> checkpoints,
        InitialPosition initial, DateTimeOffset? initialTimestamp, IReadOnlySet<string> reading)
    {
        var byId = listed.ToDictionary(s => s.ShardId, StringComparer.Ordinal);
        var ready = new List<ShardStart>();
        foreach (var shard in listed)
        {
            if (reading.Contains(shard.ShardId)) continue;
            var parents = ParentsOf(shard);
            var checkpoint = checkpoints.GetValueOrDefault(shard.ShardId);
            if (checkpoint?.Progress == ShardProgress.ShardEnd) continue;
            bool lineageRead = parents.Any(checkpoints.ContainsKey);
            if (checkpoint is null && initial == InitialPosition.Latest && !shard.IsOpen && !lineageRead) continue;
            if (parents.Any(p => byId.ContainsKey(p) && !IsEnded(byId[p], checkpoints, initial))) continue;
            ready.Add(Start(shard.ShardId, parents, checkpoint, lineageRead, initial, initialTimestamp));
        }
        var finished = new List<string>();
        var vanished = new List<string>();
        foreach (var (id, checkpoint) in checkpoints)
        {
            if (byId.ContainsKey(id)) continue;
            (checkpoint.Progress == ShardProgress.ShardEnd ? finished : vanished).Add(id);
        }
        return new LineagePlan(ready, finished, vanished);
    }

    /// <summary>A parent is done when read to its end, or (LATEST) when it was passed over as closed and never read.</summary>
    private static bool IsEnded(KinesisShard parent, IReadOnlyDictionary<string, ShardCheckpoint> checkpoints, InitialPosition initial)
    {
        if (checkpoints.GetValueOrDefault(parent.ShardId) is { } c) return c.Progress == ShardProgress.ShardEnd;
        return initial == InitialPosition.Latest && !parent.IsOpen && !ParentsOf(parent).Any(checkpoints.ContainsKey);
    }

    private static ShardStart Start(string id, IReadOnlyList<string> parents, ShardCheckpoint? checkpoint, bool lineageRead,
        InitialPosition initial, DateTimeOffset? initialTimestamp)
    {
        if (checkpoint?.SequenceNumber is { } sequence)
            return checkpoint.SubSequenceNumber is { } sub
                ? new ShardStart(id, ShardIteratorStart.At(sequence), sub, parents)
                : new ShardStart(id, ShardIteratorStart.After(sequence), null, parents);
        if (lineageRead) return new ShardStart(id, ShardIteratorStart.TrimHorizon, null, parents);
        var start = initial switch
        {
            InitialPosition.Latest => ShardIteratorStart.Latest,
            InitialPosition.AtTimestamp => ShardIteratorStart.AtTimestamp(initialTimestamp ?? throw new InvalidOperationException("AT_TIMESTAMP needs initial_timestamp")),
            _ => ShardIteratorStart.TrimHorizon,
        };
        return new ShardStart(id, start, null, parents);
    }

    public static IReadOnlyList<string> ParentsOf(KinesisShard shard) =>
        new[] { shard.ParentShardId, shard.AdjacentParentShardId }.Where(p => p is not null).Select(p => p!).ToList();
}
