namespace LogAgent.Plugins.Kinesis.Pacing;

/// <summary>
/// What each shard may still be sent: a shard takes 1 MiB/s and 1,000 records/s of writes (partition keys count
/// toward the bytes; Kinesis Data Streams quotas). One token bucket per shard for bytes and one for records, refilled
/// continuously up to one second's worth, so batches are shaped to what a shard can take instead of being learnt from
/// ProvisionedThroughputExceeded answers. Not thread-safe: one output's writer uses it at a time.
/// </summary>
public sealed class ShardBudget
{
    public const double DefaultBytesPerSecond = 1024 * 1024;
    public const double DefaultRecordsPerSecond = 1000;

    private readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
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

    /// <summary>Takes one record of <paramref name="bytes"/> (data + partition key) from the shard's budget if it has room.</summary>
    public bool TryTake(string shardId, int bytes)
    {
        var bucket = Refill(shardId);
        // A record larger than a second's budget can never fit a full bucket: let it go alone once the bucket is full.
        var needBytes = Math.Min(bytes, BytesPerSecond);
        if (bucket.Records < 1 || bucket.Bytes < needBytes) return false;
        bucket.Records -= 1;
        bucket.Bytes -= bytes;
        return true;
    }

    /// <summary>How long until the shard has room for a record of <paramref name="bytes"/>.</summary>
    public TimeSpan WaitFor(string shardId, int bytes)
    {
        var bucket = Refill(shardId);
        var needBytes = Math.Min(bytes, BytesPerSecond);
        var seconds = Math.Max(
            bucket.Bytes >= needBytes ? 0 : (needBytes - bucket.Bytes) / BytesPerSecond,
            bucket.Records >= 1 ? 0 : (1 - bucket.Records) / RecordsPerSecond);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Returns a record's share when it was not sent after all (the request failed before reaching the shard).</summary>
    public void GiveBack(string shardId, int bytes)
    {
        var bucket = Refill(shardId);
        bucket.Records = Math.Min(RecordsPerSecond, bucket.Records + 1);
        bucket.Bytes = Math.Min(BytesPerSecond, bucket.Bytes + bytes);
    }

    /// <summary>The shard pushed back (ProvisionedThroughputExceeded): its budget is spent for now.</summary>
    public void Drain(string shardId)
    {
        var bucket = Refill(shardId);
        bucket.Bytes = Math.Min(bucket.Bytes, 0);
        bucket.Records = Math.Min(bucket.Records, 0);
    }

    private Bucket Refill(string shardId)
    {
        var now = _clock.GetUtcNow();
        if (!_buckets.TryGetValue(shardId, out var bucket))
        {
            bucket = new Bucket { Bytes = BytesPerSecond, Records = RecordsPerSecond, At = now };
            _buckets[shardId] = bucket;
            return bucket;
        }
        var elapsed = (now - bucket.At).TotalSeconds;
        if (elapsed > 0)
        {
            bucket.Bytes = Math.Min(BytesPerSecond, bucket.Bytes + elapsed * BytesPerSecond);
            bucket.Records = Math.Min(RecordsPerSecond, bucket.Records + elapsed * RecordsPerSecond);
            bucket.At = now;
        }
        return bucket;
    }

    private sealed class Bucket
    {
        public double Bytes;
        public double Records;
        public DateTimeOffset At;
    }
}
