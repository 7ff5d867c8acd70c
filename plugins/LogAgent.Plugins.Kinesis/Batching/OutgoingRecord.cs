using System.Text;

namespace LogAgent.Plugins.Kinesis.Batching;

/// <summary>
/// One record as it goes on the wire (data and, for Streams, its partition key) and the chunk entries it carries:
/// one for kinesis_streams / kinesis_firehose, many for an aggregated record. When the record cannot be delivered,
/// those entries go back to the buffer. The data is usually in the chunk's <see cref="Records.RecordArena"/>, valid
/// while the chunk is written.
/// </summary>
public sealed class OutgoingRecord(ReadOnlyMemory<byte> data, string? partitionKey, int[] entries)
{
    public ReadOnlyMemory<byte> Data { get; } = data;
    public string? PartitionKey { get; } = partitionKey;
    public int[] Entries { get; } = entries;

    /// <summary>What counts against the record and request size limits: data plus partition key (PutRecords API
    /// reference: "the total size of the data and partition key"). Firehose records have no key.</summary>
    public long Size { get; } = data.Length + (partitionKey is null ? 0 : Encoding.UTF8.GetByteCount(partitionKey));

    /// <summary>The error of the last attempt that failed this record (an AWS per-record ErrorCode).</summary>
    public string? LastErrorCode { get; set; }
    public string? LastErrorMessage { get; set; }

    /// <summary>Set once the service has accepted the record: it is never sent again, whatever happens to the rest.</summary>
    public bool Delivered { get; set; }
}

/// <summary>What one put call said about one record: null error code when it was accepted; for Kinesis Data Streams,
/// the shard that took it (which tells the shard pacing when the stream was resharded).</summary>
public readonly record struct RecordOutcome(string? ErrorCode, string? ErrorMessage, string? ShardId = null);
