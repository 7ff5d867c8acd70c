using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Batching;
using LogAgent.Plugins.Kinesis.Pacing;
using LogAgent.Plugins.Kinesis.Records;
using LogAgent.Sdk.Buffers;
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
/// A LogAgent addition, shard pacing (shard_pacing, on by default): the stream's shards are listed and each put is
/// shaped so that no shard is sent more than shard_bytes_per_second / shard_records_per_second
/// (<see cref="ShardPacer"/>, <see cref="PacedSender"/>), instead of learning each shard's limit from
/// ProvisionedThroughputExceeded answers. Without kinesis:ListShards permission the output sends unpaced.
/// </summary>
[Plugin(PluginKind.Output, "kinesis_streams", "Sends each event as a record to an Amazon Kinesis Data Stream (PutRecords).")]
public class KinesisStreamsOutput : KinesisOutput
{
    private KinesisApiClient? _client;
    private ShardPacer? _pacer;

    [Parameter("stream_name", "Name of the stream (buffer placeholders such as ${tag} allowed).", Required = true)]
    public string StreamName { get; set; } = "";

    [Parameter("partition_key", "Record key whose value is the partition key (default: random per record).")]
    public string? PartitionKey { get; set; }

    // ---- LogAgent additions: shard pacing (not in aws-fluent-plugin-kinesis) --------------------------------------
    [Parameter("shard_pacing", "LogAgent addition: list the stream's shards (kinesis:ListShards) and shape puts so no shard is sent more than its write limit; unpaced when listing is not allowed.")]
    public bool ShardPacing { get; set; } = true;

    [Parameter("shard_bytes_per_second", "LogAgent addition: bytes (data + partition keys) a shard is sent per second with shard_pacing (a shard's write limit: 1 MiB/s).", Kind = ParameterKind.Size)]
    public long ShardBytesPerSecond { get; set; } = (long)ShardBudget.DefaultBytesPerSecond;

    [Parameter("shard_records_per_second", "LogAgent addition: records a shard is sent per second with shard_pacing (a shard's write limit: 1,000/s).")]
    public int ShardRecordsPerSecond { get; set; } = (int)ShardBudget.DefaultRecordsPerSecond;

    [Parameter("shard_refresh_interval", "LogAgent addition: least time between two listings of the shards, when a put reports a shard the output does not know (resharding).", Kind = ParameterKind.Time)]
    public TimeSpan ShardRefreshInterval { get; set; } = TimeSpan.FromSeconds(60);

    protected override string PluginName => "kinesis_streams";
    protected override long ServiceRecordLimit => LargestStreamsRecord;
    protected override BatchLimits ServiceBatchLimits => new(500, 5 * 1024 * 1024);
    protected override string StreamNameTemplate => StreamName;
    protected override string StreamNameParameter => "stream_name";

    protected IKinesisApi Api => _client ?? throw new InvalidOperationException($"{PluginName} is not started");

    public override void Configure(ConfigSection config)
    {
        base.Configure(config);
        if (ShardBytesPerSecond <= 0) throw new ConfigException("shard_bytes_per_second must be greater than 0", config.Find("shard_bytes_per_second")!);
        if (ShardRecordsPerSecond <= 0) throw new ConfigException("shard_records_per_second must be greater than 0", config.Find("shard_records_per_second")!);
        if (ShardRefreshInterval < TimeSpan.Zero) throw new ConfigException("shard_refresh_interval must be 0 or more", config.Find("shard_refresh_interval")!);
    }

    protected override ShardPacer? Pacer => _pacer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var client = new KinesisApiClient(ClientOptions(), Credentials());
        _client = client;
        if (ShardPacing)
        {
            _pacer = new ShardPacer(client.ListShardsAsync, ShardBytesPerSecond, ShardRecordsPerSecond, ShardRefreshInterval, Log);
            // A fixed stream is listed now, in the background: starting never waits for (or fails on) ListShards. A
            // stream name with placeholders is listed when a chunk first names it.
            if (!HasPlaceholders(StreamName)) _ = _pacer.StartListingAsync(StreamName);
        }
        return Task.CompletedTask;
    }

    public override Task ShutdownAsync(CancellationToken cancellationToken)
    {
        _client?.Dispose();
        return Task.CompletedTask;
    }

    protected override OutgoingRecord ToRecord(ReadOnlyMemory<byte> data, in ChunkEntry entry, Record? record, int index)
    {
        string key;
        if (PartitionKey is null) key = RandomPartitionKey();
        else if ((record is not null ? record.TryGetValue(PartitionKey, out var value) : RecordCodec.TryReadField(entry.RecordBytes, PartitionKey, out value))
                 && value is not null)
            key = value as string ?? RecordJson.Serialize(value);
        else throw new SkippedRecordException($"Key '{PartitionKey}' doesn't exist");
        // PutRecords refuses an empty key or one over 256 characters (API reference, PartitionKey).
        if (key.Length is 0 or > 256) throw new SkippedRecordException($"partition key of {key.Length} characters (Kinesis takes 1 to 256)");
        return new OutgoingRecord(data, key, [index]);
    }

    protected static string RandomPartitionKey()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    protected override async Task<IReadOnlyList<RecordOutcome>> PutAsync(string streamName, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken)
    {
        var entries = records.Select(r => new PutRecordsEntry(r.Data, r.PartitionKey!)).ToList();
        var result = await Api.PutRecordsAsync(streamName, entries, cancellationToken).ConfigureAwait(false);
        return result.Records.Select(o => new RecordOutcome(o.ErrorCode, o.ErrorMessage, o.ShardId)).ToList();
    }
}
