using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using LogAgent.Plugins.Kinesis.Aws;

namespace LogAgent.Plugins.Kinesis.Pacing;

/// <summary>
/// Which shard of a stream a record lands on, computed the way Kinesis does: the MD5 of the partition key, read as an
/// unsigned 128-bit big-endian integer (or the explicit hash key when given), falls in exactly one open shard's
/// [StartingHashKey, EndingHashKey] range (Kinesis Data Streams developer guide, "Partition key"; PutRecords API).
/// </summary>
public sealed class ShardMap
{
    private readonly KinesisShard[] _shards;
    private readonly HashSet<string> _ids;

    public ShardMap(IEnumerable<KinesisShard> shards)
    {
        // Closed shards (after a split or merge) take no more writes; only the open ones cover the hash space.
        _shards = shards.Where(s => s.IsOpen).OrderBy(s => s.StartingHashKey).ToArray();
        _ids = _shards.Select(s => s.ShardId).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<KinesisShard> Shards => _shards;

    public bool Knows(string shardId) => _ids.Contains(shardId);

    /// <summary>MD5 of the key's UTF-8 bytes as an unsigned 128-bit integer.</summary>
    public static BigInteger HashKey(string partitionKey)
    {
        Span<byte> digest = stackalloc byte[16];
        var length = Encoding.UTF8.GetByteCount(partitionKey);
        var bytes = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(partitionKey, bytes);
        MD5.HashData(bytes, digest);
        return new BigInteger(digest, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>The open shard for a record, or null when the map has no shard covering its hash key.</summary>
    public string? ShardFor(string partitionKey, string? explicitHashKey = null)
    {
        var key = explicitHashKey is null ? HashKey(partitionKey) : BigInteger.Parse(explicitHashKey);
        int lo = 0, hi = _shards.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var shard = _shards[mid];
            if (key < shard.StartingHashKey) hi = mid - 1;
            else if (key > shard.EndingHashKey) lo = mid + 1;
            else return shard.ShardId;
        }
        return null;
    }
}
