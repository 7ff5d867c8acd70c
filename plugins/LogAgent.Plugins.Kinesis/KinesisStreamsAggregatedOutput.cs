using LogAgent.Plugins.Kinesis.Batching;
using LogAgent.Plugins.Kinesis.Records;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Plugins.Kinesis;

/// <summary>
/// <c>kinesis_streams_aggregated</c>: the events of a chunk are packed into KPL aggregated records
/// (<see cref="KplAggregator"/>), each up to max_record_size, one per PutRecords call as
/// out_kinesis_streams_aggregated.rb does. Every aggregated record has one partition key: fixed_partition_key, or
/// random per aggregated record. batch_request_max_count / _size bound the events per aggregated record (defaults
/// 100,000 and 1 MiB, the Ruby plugin's). Shard pacing (kinesis_streams') applies to the aggregated records: each
/// goes to the shard of its partition key and counts as one record of its full size against that shard's budget.
/// </summary>
[Plugin(PluginKind.Output, "kinesis_streams_aggregated", "Sends events packed as KPL aggregated records to an Amazon Kinesis Data Stream.")]
public sealed class KinesisStreamsAggregatedOutput : KinesisStreamsOutput
{
    [Parameter("fixed_partition_key", "Partition key of every aggregated record (default: random per aggregated record).")]
    public string? FixedPartitionKey { get; set; }

    protected override string PluginName => "kinesis_streams_aggregated";
    protected override BatchLimits ServiceBatchLimits => new(100_000, DefaultMaxRecordSize);

    /// <summary>What the aggregated record adds around one event's data: its own framing and the record's.</summary>
    protected override long RecordLimitOffset => KplAggregator.Overhead(FixedPartitionKey ?? new string('0', 32)) + KplAggregator.PerRecordOverhead;

    public override void Configure(ConfigSection config)
    {
        if (config.Has("partition_key"))
            throw new ConfigException("kinesis_streams_aggregated has no partition_key; use fixed_partition_key", config.Find("partition_key")!);
        base.Configure(config);
    }

    protected override OutgoingRecord ToRecord(ReadOnlyMemory<byte> data, in ChunkEntry entry, Record? record, int index) =>
        new(data, null, [index]);

    /// <summary>Groups the events into aggregated records within the record limit and batch_request_max_*.</summary>
    protected override IEnumerable<OutgoingRecord> Assemble(List<OutgoingRecord> records)
    {
        long limit = Math.Min(Limits.MaxBytes, Math.Min(MaxRecordSize, ServiceRecordLimit)) - KplAggregator.Overhead(FixedPartitionKey ?? new string('0', 32));
        var group = new List<OutgoingRecord>();
        long size = 0;
        foreach (var record in records)
        {
            long recordSize = record.Data.Length + KplAggregator.PerRecordOverhead;
            if (group.Count > 0 && (group.Count + 1 > Limits.MaxCount || size + recordSize > limit))
            {
                yield return Aggregate(group);
                group = new List<OutgoingRecord>();
                size = 0;
            }
            group.Add(record);
            size += recordSize;
        }
        if (group.Count > 0) yield return Aggregate(group);
    }

    private OutgoingRecord Aggregate(List<OutgoingRecord> group)
    {
        var key = FixedPartitionKey ?? RandomPartitionKey();
        return new OutgoingRecord(KplAggregator.Aggregate(group.Select(r => r.Data).ToList(), key), key,
            group.SelectMany(r => r.Entries).ToArray());
    }

    /// <summary>One aggregated record per call, as the Ruby plugin; the batcher's limits are then the call's own.</summary>
    protected override BatchLimits PutLimits => new(1, long.MaxValue);
}
