using System.Numerics;

namespace LogAgent.Plugins.Kinesis.Aws;

// Shapes of the Kinesis Data Streams JSON API (API reference, PutRecords / ListShards / DescribeStreamSummary:
// https://docs.aws.amazon.com/kinesis/latest/APIReference/), reduced to the fields the outputs use.

/// <summary>A record to put: its bytes (sent base64-encoded), partition key and optional explicit hash key.</summary>
public readonly record struct PutRecordsEntry(ReadOnlyMemory<byte> Data, string PartitionKey, string? ExplicitHashKey = null);

/// <summary>
/// A PutRecords response: one outcome per request record, in request order. The service answers 200 even when
/// every record failed; <see cref="FailedRecordCount"/> says how many did.
/// </summary>
public sealed record PutRecordsResult(int FailedRecordCount, IReadOnlyList<PutRecordsOutcome> Records, string? EncryptionType);

/// <summary>
/// What happened to one record: the shard that took it, or an error code (ProvisionedThroughputExceededException,
/// InternalFailure, KMS...Exception) and message. The sequence number is not kept: nothing here uses it, and it
/// would be a string per record.
/// </summary>
public readonly record struct PutRecordsOutcome(string? ShardId, string? ErrorCode, string? ErrorMessage)
{
    public bool Succeeded => ErrorCode is null;
}

/// <summary>
/// A shard from ListShards. Hash keys are 128-bit decimals (the MD5 of a partition key, read as an unsigned
/// big-endian integer, picks the shard whose range holds it). A shard with an ending sequence number is closed
/// (split or merged) and takes no new records.
/// </summary>
public sealed record KinesisShard(
    string ShardId,
    BigInteger StartingHashKey,
    BigInteger EndingHashKey,
    string? ParentShardId,
    string? AdjacentParentShardId,
    string? StartingSequenceNumber,
    string? EndingSequenceNumber)
{
    public bool IsOpen => EndingSequenceNumber is null;
    public bool Contains(BigInteger hashKey) => hashKey >= StartingHashKey && hashKey <= EndingHashKey;
}

/// <summary>DescribeStreamSummary's StreamDescriptionSummary.</summary>
public sealed record StreamSummary(
    string StreamName,
    string? StreamArn,
    string StreamStatus,
    string? StreamMode,
    int OpenShardCount,
    string? EncryptionType);
