using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace LogAgent.Tests.Kinesis.Support;

/// <summary>A shard as ListShards describes it: its id and the inclusive range of 128-bit hash keys it owns.</summary>
public sealed record KinesisShard(string ShardId, BigInteger StartingHashKey, BigInteger EndingHashKey)
{
    public bool Owns(BigInteger hashKey) => hashKey >= StartingHashKey && hashKey <= EndingHashKey;
}

/// <summary>A record read back from a stream with GetRecords.</summary>
public sealed record KinesisStoredRecord(string ShardId, string SequenceNumber, string PartitionKey, byte[] Data);

/// <summary>
/// Kinesis's record-to-shard mapping: "Kinesis Data Streams uses MD5 to map partition keys to 128-bit integer values"
/// (PutRecords API reference) — the MD5 digest of the partition key's UTF-8 bytes read as an unsigned big-endian
/// integer, or the record's ExplicitHashKey when it has one; the shard whose HashKeyRange contains it takes the record.
/// </summary>
public static class KinesisHashKey
{
    public static BigInteger Of(string partitionKey) =>
        new(MD5.HashData(Encoding.UTF8.GetBytes(partitionKey)), isUnsigned: true, isBigEndian: true);

    public static BigInteger Parse(string decimalHashKey) => BigInteger.Parse(decimalHashKey, NumberStyles.None, CultureInfo.InvariantCulture);

    /// <summary>The open shard that owns a partition key (or explicit hash key); throws if none does.</summary>
    public static KinesisShard ShardFor(IEnumerable<KinesisShard> shards, string partitionKey, string? explicitHashKey = null)
    {
        var hashKey = explicitHashKey is null ? Of(partitionKey) : Parse(explicitHashKey);
        return shards.FirstOrDefault(s => s.Owns(hashKey))
            ?? throw new InvalidOperationException($"no shard owns hash key {hashKey} (partition key '{partitionKey}')");
    }
}
