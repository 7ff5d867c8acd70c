using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Batching;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;

namespace LogAgent.Plugins.Kinesis;

/// <summary>
/// <c>kinesis_firehose</c>: each event is one Firehose record, sent with PutRecordBatch (aws-fluent-plugin-kinesis
/// v3, out_kinesis_firehose.rb), with a newline appended by default (append_new_line) so that records concatenated
/// into S3 objects stay one per line. The newline is added after compression, as the Ruby plugin does.
/// Limits (Firehose API reference, PutRecordBatch): 500 records and 4 MiB per call, 1,000 KiB per record.
/// </summary>
[Plugin(PluginKind.Output, "kinesis_firehose", "Sends each event as a record to an Amazon Kinesis Data Firehose delivery stream (PutRecordBatch).")]
public sealed class KinesisFirehoseOutput : KinesisOutput
{
    /// <summary>Firehose's record limit: 1,000 KiB before base64 (API reference, Record.Data).</summary>
    public const long FirehoseRecordLimit = 1000 * 1024;

    private FirehoseApiClient? _client;

    [Parameter("delivery_stream_name", "Name of the delivery stream (buffer placeholders such as ${tag} allowed).", Required = true)]
    public string DeliveryStreamName { get; set; } = "";

    [Parameter("append_new_line", "Append a newline to each record's data.")]
    public bool AppendNewLine { get; set; } = true;

    protected override string PluginName => "kinesis_firehose";
    protected override long ServiceRecordLimit => FirehoseRecordLimit;
    protected override BatchLimits ServiceBatchLimits => new(500, 4 * 1024 * 1024);
    protected override string StreamNameTemplate => DeliveryStreamName;
    protected override string StreamNameParameter => "delivery_stream_name";

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _client = new FirehoseApiClient(ClientOptions(), Credentials());
        return Task.CompletedTask;
    }

    public override Task ShutdownAsync(CancellationToken cancellationToken)
    {
        _client?.Dispose();
        return Task.CompletedTask;
    }

    protected override ReadOnlySpan<byte> RecordSuffix => AppendNewLine ? "\n"u8 : default;

    protected override OutgoingRecord ToRecord(ReadOnlyMemory<byte> data, in ChunkEntry entry, Record? record, int index) => new(data, null, [index]);

    protected override async Task<IReadOnlyList<RecordOutcome>> PutAsync(string streamName, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken)
    {
        var client = _client ?? throw new InvalidOperationException("kinesis_firehose is not started");
        var result = await client.PutRecordBatchAsync(streamName, records.Select(r => r.Data).ToList(), cancellationToken).ConfigureAwait(false);
        return result.RequestResponses.Select(o => new RecordOutcome(o.ErrorCode, o.ErrorMessage)).ToList();
    }
}
