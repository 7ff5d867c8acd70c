using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Batching;
using LogAgent.Plugins.Kinesis.Records;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Sdk.Text;

namespace LogAgent.Plugins.Kinesis;

/// <summary>
/// <c>kinesis_streams</c>: each event is one Kinesis Data Streams record, sent with PutRecords
/// (aws-fluent-plugin-kinesis v3, out_kinesis_streams.rb). The partition key is the record's <c>partition_key</c>
/// field, or 32 random hex digits when unset (as the Ruby plugin's SecureRandom.hex(16)).
/// Limits (Kinesis API reference, PutRecords): 500 records and 5 MiB per call; data + key ≤ 1 MiB per record, up to
/// 10 MiB for streams configured for large records (max_record_size).
/// </summary>
[Plugin(PluginKind.Output, "kinesis_streams", "Sends each event as a record to an Amazon Kinesis Data Stream (PutRecords).")]
public class KinesisStreamsOutput : KinesisOutput
{
    private KinesisApiClient? _client;

    [Parameter("stream_name", "Name of the stream (buffer placeholders such as ${tag} allowed).", Required = true)]
    public string StreamName { get; set; } = "";

    [Parameter("partition_key", "Record key whose value is the partition key (default: random per record).")]
    public string? PartitionKey { get; set; }

    protected override string PluginName => "kinesis_streams";
    protected override long ServiceRecordLimit => LargestStreamsRecord;
    protected override BatchLimits ServiceBatchLimits => new(500, 5 * 1024 * 1024);
    protected override string StreamNameTemplate => StreamName;
    protected override string StreamNameParameter => "stream_name";

    protected IKinesisApi Api => _client ?? throw new InvalidOperationException($"{PluginName} is not started");

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _client = new KinesisApiClient(ClientOptions(), Credentials());
        return Task.CompletedTask;
    }

    public override Task ShutdownAsync(CancellationToken cancellationToken)
    {
        _client?.Dispose();
        return Task.CompletedTask;
    }

    protected override OutgoingRecord ToRecord(byte[] data, Record record, int entry)
    {
        string key;
        if (PartitionKey is null) key = RandomPartitionKey();
        else if (record.TryGetValue(PartitionKey, out var value) && value is not null)
            key = value as string ?? RecordJson.Serialize(value);
        else throw new SkippedRecordException($"Key '{PartitionKey}' doesn't exist");
        // PutRecords refuses an empty key or one over 256 characters (API reference, PartitionKey).
        if (key.Length is 0 or > 256) throw new SkippedRecordException($"partition key of {key.Length} characters (Kinesis takes 1 to 256)");
        return new OutgoingRecord(data, key, [entry]);
    }

    protected static string RandomPartitionKey() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());

    protected override async Task<IReadOnlyList<RecordOutcome>> PutAsync(string streamName, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken)
    {
        var entries = records.Select(r => new PutRecordsEntry(r.Data, r.PartitionKey!)).ToList();
        var result = await Api.PutRecordsAsync(streamName, entries, cancellationToken).ConfigureAwait(false);
        return result.Records.Select(o => new RecordOutcome(o.ErrorCode, o.ErrorMessage)).ToList();
    }
}
