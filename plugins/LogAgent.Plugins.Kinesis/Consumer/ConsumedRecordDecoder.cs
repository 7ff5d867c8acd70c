using System.Text;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Records;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Plugins.Kinesis.Consumer;

/// <summary>An event made from a consumed record, ready to emit.</summary>
public readonly record struct ConsumedEvent(string Tag, EventTime Time, Record Record);

/// <summary>The events of one user record: the whole Kinesis record, or one sub-record of a KPL aggregate
/// (<see cref="SubSequence"/> is its index, 0 for a plain record). The unit a checkpoint can stop after.</summary>
public sealed record DecodedSubRecord(long SubSequence, IReadOnlyList<ConsumedEvent> Events);

/// <summary>What the consumer does with each record's data (the input's parameters, checked).</summary>
public sealed record ConsumedRecordOptions(
    TagTemplate? Tag,
    string? TagKey,
    bool Deaggregate,
    DecompressMode Decompress,
    bool CloudWatchLogs,
    string? PartitionKeyKey,
    string? SequenceNumberKey,
    string? ShardIdKey)
{
    /// <summary>The tag of events sent to @ERROR: the configured tag when it is constant, else the plugin's name.</summary>
    public string ErrorTag => Tag is { IsConstant: true } t ? t.Text : "kinesis_streams";
}

/// <summary>
/// Turns one Kinesis record into events: splits a KPL aggregate into its user records (<c>deaggregate</c>), inflates
/// (<c>decompress</c>), opens a CloudWatch Logs envelope into one event per log event (<c>format cloudwatch_logs</c>),
/// parses the text with the <c>&lt;parse&gt;</c> parser, adds the relay keys and finds the tag. The time is the
/// parser's, else the log event's (CloudWatch), else the record's ApproximateArrivalTimestamp. Nothing here throws for
/// bad data: a record that cannot be read goes to @ERROR with its text, shard and sequence number, and the shard reads on.
/// </summary>
public sealed class ConsumedRecordDecoder(ConsumedRecordOptions options, ParserPlugin parser, Action<string, EventTime, Record, Exception> emitError)
{
    public List<DecodedSubRecord> Decode(KinesisRecord record, string shardId)
    {
        var result = new List<DecodedSubRecord>(1);
        var arrival = record.ApproximateArrivalTimestamp is { } at ? EventTime.FromDateTimeOffset(at) : EventTime.Now;
        var aggregate = options.Deaggregate ? KplDeaggregator.TryDeaggregate(record.Data) : null;
        if (aggregate is null)
        {
            result.Add(new DecodedSubRecord(0, DecodeUserRecord(record.Data, record.PartitionKey, record, null, shardId, arrival)));
            return result;
        }
        foreach (var user in aggregate)
            result.Add(new DecodedSubRecord(user.SubSequenceNumber, DecodeUserRecord(user.Data, user.PartitionKey, record, user.SubSequenceNumber, shardId, arrival)));
        return result;
    }

    private List<ConsumedEvent> DecodeUserRecord(ReadOnlyMemory<byte> data, string partitionKey, KinesisRecord record, long? sub, string shardId, EventTime arrival)
    {
        var events = new List<ConsumedEvent>(1);
        string where = $"shard {shardId} record {record.SequenceNumber}" + (sub is { } s ? $" sub-record {s}" : "");
        ReadOnlyMemory<byte> inflated;
        try
        {
            inflated = RecordDecompression.Inflate(data, options.Decompress);
        }
        catch (InvalidDataException e)
        {
            Reject(where, e.Message, Convert.ToBase64String(data.Span), partitionKey, record.SequenceNumber, shardId, arrival);
            return events;
        }
        if (!options.CloudWatchLogs)
        {
            Add(events, Encoding.UTF8.GetString(inflated.Span), null, partitionKey, record.SequenceNumber, shardId, arrival, where, extra: null);
            return events;
        }
        CloudWatchLogsBatch batch;
        try
        {
            batch = CloudWatchLogsEnvelope.Read(inflated);
        }
        catch (FormatException e)
        {
            Reject(where, e.Message, Encoding.UTF8.GetString(inflated.Span), partitionKey, record.SequenceNumber, shardId, arrival);
            return events;
        }
        if (batch.IsControl) return events;
        foreach (var logEvent in batch.LogEvents)
        {
            var time = EventTime.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(logEvent.TimestampMs));
            Add(events, logEvent.Message, time, partitionKey, record.SequenceNumber, shardId, arrival, where, r =>
            {
                r["logGroup"] = batch.LogGroup;
                r["logStream"] = batch.LogStream;
                r["owner"] = batch.Owner;
                r["id"] = logEvent.Id;
            });
        }
        return events;
    }

    private void Add(List<ConsumedEvent> events, string text, EventTime? envelopeTime, string partitionKey, string sequence, string shardId,
        EventTime arrival, string where, Action<Record>? extra)
    {
        if (!parser.TryParse(text, out var parsedTime, out var record))
        {
            Reject(where, "the data does not match the <parse> format", text, partitionKey, sequence, shardId, arrival);
            return;
        }
        extra?.Invoke(record);
        if (options.PartitionKeyKey is { } pk) record[pk] = partitionKey;
        if (options.SequenceNumberKey is { } sk) record[sk] = sequence;
        if (options.ShardIdKey is { } shk) record[shk] = shardId;
        var time = parsedTime ?? envelopeTime ?? arrival;

        if (options.TagKey is { } tagKey && record.TryGetValue(tagKey, out var fromRecord) && fromRecord is string { Length: > 0 } recordTag)
        {
            events.Add(new ConsumedEvent(recordTag, time, record));
            return;
        }
        if (options.Tag is null)
        {
            emitError(options.ErrorTag, time, record, new InvalidDataException($"{where}: the record has no '{options.TagKey}' field for its tag, and no tag is configured"));
            return;
        }
        if (!options.Tag.TryRender(partitionKey, shardId, record, out var tag, out var missing))
        {
            emitError(options.ErrorTag, time, record, new InvalidDataException($"{where}: the record has no '{missing}' field for the tag '{options.Tag.Text}'"));
            return;
        }
        events.Add(new ConsumedEvent(tag, time, record));
    }

    private void Reject(string where, string problem, string data, string partitionKey, string sequence, string shardId, EventTime arrival)
    {
        var record = new Record
        {
            ["message"] = data,
            ["partition_key"] = partitionKey,
            ["sequence_number"] = sequence,
            ["shard_id"] = shardId,
        };
        emitError(options.ErrorTag, arrival, record, new InvalidDataException($"{where}: {problem}"));
    }
}
