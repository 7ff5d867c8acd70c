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

/// <summary>DescribeStreamSummary's StreamDescriptionSummary. <see cref="RetentionPeriodHours"/> is how long records stay
/// readable (the consumer's check that a checkpoint has not been trimmed away); null when the answer has none.</summary>
public sealed record StreamSummary(
    string StreamName,
    string? StreamArn,
    string StreamStatus,
    string? StreamMode,
    int OpenShardCount,
    string? EncryptionType,
    int? RetentionPeriodHours = null);

/// <summary>
/// Which stream a consumer call names: by <c>StreamName</c> or by <c>StreamARN</c> (every data-plane action takes
/// either; with an ARN the region and account are the ARN's, which is how a consumer reads another account's stream).
/// </summary>
public readonly record struct KinesisStreamRef(string? Name, string? Arn)
{
    /// <summary>The stream as logs and file names show it: its name, else the name part of its ARN.</summary>
    public string DisplayName => Name ?? Arn![(Arn!.LastIndexOf('/') + 1)..];
}

/// <summary>Where GetShardIterator starts: one of the five iterator types and its sequence number or time.</summary>
public readonly record struct ShardIteratorStart(string Type, string? SequenceNumber = null, DateTimeOffset? Timestamp = null)
{
    public static ShardIteratorStart TrimHorizon => new("TRIM_HORIZON");
    public static ShardIteratorStart Latest => new("LATEST");
    public static ShardIteratorStart AtTimestamp(DateTimeOffset at) => new("AT_TIMESTAMP", Timestamp: at);
    public static ShardIteratorStart After(string sequenceNumber) => new("AFTER_SEQUENCE_NUMBER", sequenceNumber);
    public static ShardIteratorStart At(string sequenceNumber) => new("AT_SEQUENCE_NUMBER", sequenceNumber);

    public override string ToString() =>
        SequenceNumber is not null ? $"{Type} {SequenceNumber}" : Timestamp is { } t ? $"{Type} {t:O}" : Type;
}

/// <summary>One record of a GetRecords answer: its data (decoded from base64), key and place in the shard.</summary>
public sealed record KinesisRecord(string SequenceNumber, string PartitionKey, byte[] Data, DateTimeOffset? ApproximateArrivalTimestamp);

/// <summary>A shard a closed shard's GetRecords names at its end: the child and all of its parents.</summary>
public sealed record ChildShard(string ShardId, IReadOnlyList<string> ParentShards);

/// <summary>
/// A GetRecords answer. <see cref="NextShardIterator"/> is null once a closed shard has been read to its end (then
/// <see cref="ChildShards"/> names the shards that took its hash range).
/// </summary>
public sealed record GetRecordsResult(IReadOnlyList<KinesisRecord> Records, string? NextShardIterator, long? MillisBehindLatest,
    IReadOnlyList<ChildShard> ChildShards)
{
    public bool ShardEnded => NextShardIterator is null;
    /// <summary>The data bytes of the answer (base64-decoded), for the read counters and memory bounds.</summary>
    public long DataBytes => Records.Sum(r => (long)r.Data.Length);
}
