namespace LogAgent.Plugins.Kinesis.Pacing;

/// <summary>
/// What each shard may still be sent: a shard takes 1 MiB/s and 1,000 records/s of writes (partition keys count
/// toward the bytes; Kinesis Data Streams quotas, https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html).
/// Kept as a sliding one-second window per shard, the way the service is modelled to count: a token bucket that
/// holds a second's worth lets a full bucket go at once and another second's worth refill behind it — two seconds'
/// records inside one second, which a per-second limit throttles. A record counts from the moment it is taken until
/// one second after its put call was answered (<see cref="Settle"/>): the service counts it somewhere between the
/// request leaving and the answer arriving, so counting it over that whole span plus one second keeps every
/// one-second window of the service's clock within the limit, whatever the request's latency.
/// Not thread-safe: the caller serialises access (<see cref="ShardPacer"/> locks).
/// </summary>
public sealed class ShardBudget
{
    public const double DefaultBytesPerSecond = 1024 * 1024;
    public const double DefaultRecordsPerSecond = 1000;

    /// <summary>How long a record counts after its put was answered: the service's one-second window.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>How soon to look again when the only thing holding a shard back is a put still in flight (its
    /// records stop counting one second after it is answered, which is not known yet).</summary>
    public static readonly TimeSpan InFlightPoll = TimeSpan.FromMilliseconds(20);

    private readonly Dictionary<string, List<Use>> _shards = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    public ShardBudget(double bytesPerSecond = DefaultBytesPerSecond, double recordsPerSecond = DefaultRecordsPerSecond, TimeProvider? clock = null)
    {
        if (bytesPerSecond <= 0 || recordsPerSecond <= 0) throw new ArgumentOutOfRangeException(nameof(bytesPerSecond), "a shard's budget must be positive");
        BytesPerSecond = bytesPerSecond;
        RecordsPerSecond = recordsPerSecond;
        _clock = clock ?? TimeProvider.System;
    }

    public double BytesPerSecond { get; }
    public double RecordsPerSecond { get; }

    /// <summary>One put call's share of the shards; <see cref="Settle"/> it when the call is answered.</summary>
    public sealed class Put
    {
        internal DateTimeOffset? SettledAt;
    }

    public Put BeginPut() => new();

    /// <summary>Takes one record of <paramref name="bytes"/> (data + partition key) for <paramref name="put"/> if the
    /// shard has room in its window.</summary>
    public bool TryTake(Put put, string shardId, long bytes)
    {
        var uses = Current(shardId, _clock.GetUtcNow());
        var (records, used) = Sum(uses);
        // A record larger than a second's bytes (large-record streams) can never fit beside others: it goes alone,
        // once the window is empty.
        bool fits = bytes > BytesPerSecond ? records == 0 : used + bytes <= BytesPerSecond;
        if (records + 1 > RecordsPerSecond || !fits) return false;
        if (uses.Count > 0 && ReferenceEquals(uses[^1].Put, put)) { uses[^1].Records++; uses[^1].Bytes += bytes; }
        else uses.Add(new Use { Put = put, Records = 1, Bytes = bytes });
        return true;
    }

    /// <summary>The put was answered (or failed): its records count for one more second from now.</summary>
    public void Settle(Put put) => put.SettledAt ??= _clock.GetUtcNow();

    /// <summary>Returns a record's share when it was not sent after all (the request failed before reaching the shard).</summary>
    public void GiveBack(Put put, string shardId, long bytes)
    {
        if (!_shards.TryGetValue(shardId, out var uses)) return;
        var use = uses.FindLast(u => ReferenceEquals(u.Put, put));
        if (use is null) return;
        use.Records = Math.Max(0, use.Records - 1);
        use.Bytes = Math.Max(0, use.Bytes - bytes);
    }

    /// <summary>
    /// The shard pushed back (ProvisionedThroughputExceeded): something else writes to it too, so its window counts as
    /// full now. What filled it is not known; taken as spread evenly over the last second, it leaves the window a tenth
    /// at a time over the next second (rather than all at once a second from now, which would idle the shard).
    /// </summary>
    public void Drain(string shardId)
    {
        var now = _clock.GetUtcNow();
        var uses = Current(shardId, now);
        var (records, bytes) = Sum(uses);
        double missingRecords = Math.Max(0, RecordsPerSecond - records), missingBytes = Math.Max(0, BytesPerSecond - bytes);
        for (int k = 1; k <= DrainSlices; k++)
            uses.Add(new Use
            {
                Put = new Put { SettledAt = now - Window + Window * k / DrainSlices },
                Records = missingRecords / DrainSlices,
                Bytes = missingBytes / DrainSlices,
            });
    }

    private const int DrainSlices = 10;

    /// <summary>How long until the shard has room for a record of <paramref name="bytes"/>; zero when it has room now.</summary>
    public TimeSpan WaitFor(string shardId, long bytes)
    {
        var now = _clock.GetUtcNow();
        var uses = Current(shardId, now);
        var (records, used) = Sum(uses);
        double recordsOver = records + 1 - RecordsPerSecond;
        double bytesOver = bytes > BytesPerSecond ? used : used + bytes - BytesPerSecond;
        if (recordsOver <= 0 && bytesOver <= 0) return TimeSpan.Zero;
        // The settled uses leave the window in the order they were settled; find when enough have left.
        foreach (var use in uses.Where(u => u.Put.SettledAt is not null).OrderBy(u => u.Put.SettledAt))
        {
            recordsOver -= use.Records;
            bytesOver -= use.Bytes;
            if (recordsOver <= 0 && bytesOver <= 0)
            {
                var wait = use.Put.SettledAt!.Value + Window - now;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }
        return InFlightPoll;
    }

    /// <summary>The shard's uses still in its window at <paramref name="now"/>.</summary>
    private List<Use> Current(string shardId, DateTimeOffset now)
    {
        if (!_shards.TryGetValue(shardId, out var uses)) _shards[shardId] = uses = new List<Use>();
        uses.RemoveAll(u => u.Put.SettledAt is { } at && at + Window <= now);
        return uses;
    }

    private static (double Records, double Bytes) Sum(List<Use> uses)
    {
        double records = 0, bytes = 0;
        foreach (var u in uses) { records += u.Records; bytes += u.Bytes; }
        return (records, bytes);
    }

    /// <summary>One put call's records and bytes on one shard.</summary>
    private sealed class Use
    {
        public required Put Put;
        public double Records;
        public double Bytes;
    }
}
