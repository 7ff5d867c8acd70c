using Amazon.Runtime;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Batching;
using LogAgent.Plugins.Kinesis.Pacing;
using LogAgent.Plugins.Kinesis.Records;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using MessagePack;
using Microsoft.Extensions.Logging;

namespace LogAgent.Plugins.Kinesis;

/// <summary>
/// What the three Kinesis outputs share: aws-fluent-plugin-kinesis v3's common parameters (kinesis.rb,
/// kinesis_helper/api.rb, kinesis_helper/client.rb — same names, same defaults except
/// drop_failed_records_after_batch_request_retries) and the write path: encode each event, hand the ones that cannot
/// be sent (too large, data_key missing) to @ERROR, batch within the service's limits
/// (<see cref="RecordBatcher"/>), put with per-record retries (<see cref="BatchSender"/>), and give the buffer back
/// only the events that still failed (<see cref="PartialWriteException"/>). The API calls are the subclasses'
/// (<see cref="IKinesisApi"/>, <see cref="IFirehoseApi"/>).
/// </summary>
public abstract class KinesisOutput : BufferedOutputPlugin, IAwsClientParameters
{
    /// <summary>Kinesis Data Streams accepts records up to 10 MiB when the stream is configured for them (2025); the
    /// default stays 1 MiB, as the Ruby plugin's MaxRecordSize.</summary>
    public const long LargestStreamsRecord = 10 * 1024 * 1024;
    public const long DefaultMaxRecordSize = 1024 * 1024;

    private RecordEncoder? _encoder;
    private BatchSender? _sender;
    private PacedSender? _pacedSender;
    private KinesisOutputCounters? _counters;

    // ---- kinesis.rb -------------------------------------------------------------------------------------------
    [Parameter("data_key", "Send only the value of this record key as the record's data (instead of the formatted record).")]
    public string? DataKey { get; set; }

    [Parameter("log_truncate_max_size", "Truncate log lines about records to this many characters (0: no truncation).")]
    public int LogTruncateMaxSize { get; set; } = 1024;

    [Parameter("compression", "Compress each record's data: zlib or gzip.", AllowedValues = new[] { "zlib", "gzip" })]
    public string? Compression { get; set; }

    [Parameter("chomp_record", "Remove one trailing newline from each record's data.")]
    public bool ChompRecord { get; set; }

    [Parameter("debug", "Accepted for compatibility (the Ruby plugin's HTTP wire trace); use @log_level debug.")]
    public bool Debug { get; set; }

    [Section("inject", "Add the tag, time or host name to each record before formatting.")]
    public InjectSection? Inject { get; set; }

    // ---- kinesis_helper/api.rb ----------------------------------------------------------------------------------
    [Parameter("max_record_size", "Largest record (data + partition key) sent; a larger one goes to @ERROR.", Kind = ParameterKind.Size)]
    public long MaxRecordSize { get; set; } = DefaultMaxRecordSize;

    [Parameter("retries_on_batch_request", "Times the failed records of a put are sent again before they go back to the buffer.")]
    public int RetriesOnBatchRequest { get; set; } = 8;

    [Parameter("reset_backoff_if_success", "Start the backoff over after a put that delivered some records.")]
    public bool ResetBackoffIfSuccess { get; set; } = true;

    [Parameter("batch_request_max_count", "Most records per put call (default and maximum: the service's limit).")]
    public int? BatchRequestMaxCount { get; set; }

    [Parameter("batch_request_max_size", "Most bytes per put call (default and maximum: the service's limit).", Kind = ParameterKind.Size)]
    public long? BatchRequestMaxSize { get; set; }

    // Default false, unlike the Ruby plugin (true): records that still fail after retries_on_batch_request go back to
    // the buffer as a smaller chunk and are retried with the buffer's backoff, instead of being logged and lost.
    [Parameter("drop_failed_records_after_batch_request_retries", "Drop (log) records still failing after retries_on_batch_request instead of returning them to the buffer. Default false (the Ruby plugin: true).")]
    public bool DropFailedRecordsAfterBatchRequestRetries { get; set; }

    [Parameter("monitor_num_of_batch_request_retries", "Accepted for compatibility; retries are always counted (record_retries metric).")]
    public bool MonitorNumOfBatchRequestRetries { get; set; }

    // ---- kinesis_helper/client.rb -------------------------------------------------------------------------------
    [Parameter("region", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION).")]
    public string? Region { get; set; }

    [Parameter("endpoint", "A custom endpoint URL (VPC endpoint, local Kinesis).")]
    public string? Endpoint { get; set; }

    [Parameter("http_proxy", "Proxy URL for requests to AWS.")]
    public string? HttpProxy { get; set; }

    [Parameter("ssl_verify_peer", "Verify the endpoint's TLS certificate.")]
    public bool SslVerifyPeer { get; set; } = true;

    [Parameter("aws_key_id", "AWS access key id.", Secret = true)]
    public string? AwsKeyId { get; set; }

    [Parameter("aws_sec_key", "AWS secret access key.", Secret = true)]
    public string? AwsSecKey { get; set; }

    [Parameter("aws_ses_token", "AWS session token.", Secret = true)]
    public string? AwsSesToken { get; set; }

    [Parameter("aws_iam_retries", "Accepted for compatibility (deprecated in the Ruby plugin); credential refresh retries itself.")]
    public int? AwsIamRetries { get; set; }

    [Section("assume_role_credentials", "Sign with a role assumed through STS.")]
    public AssumeRoleCredentialsSection? AssumeRoleCredentials { get; set; }

    [Section("web_identity_credentials", "Sign with a role assumed with a web identity token.")]
    public WebIdentityCredentialsSection? WebIdentityCredentials { get; set; }

    [Section("instance_profile_credentials", "Sign with the EC2 instance profile (or ECS task role).")]
    public InstanceProfileCredentialsSection? InstanceProfileCredentials { get; set; }

    [Section("shared_credentials", "Sign with a profile of a shared credentials file.")]
    public SharedCredentialsSection? SharedCredentials { get; set; }

    [Section("process_credentials", "Sign with credentials printed by a process.")]
    public ProcessCredentialsSection? ProcessCredentials { get; set; }

    /// <summary>The output's name in messages, e.g. kinesis_streams.</summary>
    protected abstract string PluginName { get; }

    /// <summary>The service's largest record (data + key) and the largest max_record_size allowed.</summary>
    protected abstract long ServiceRecordLimit { get; }

    /// <summary>The service's limits per put call (the defaults and maxima of batch_request_max_*).</summary>
    protected abstract BatchLimits ServiceBatchLimits { get; }

    /// <summary>The stream name template (stream_name / delivery_stream_name), with buffer placeholders.</summary>
    protected abstract string StreamNameTemplate { get; }

    /// <summary>Bytes the output adds around the data that count against the record limit (aggregation).</summary>
    protected virtual long RecordLimitOffset => 0;

    protected KinesisOutputCounters Counters => _counters ?? throw new InvalidOperationException($"{PluginName} is not configured");

    /// <summary>Records larger than this go to @ERROR: max_record_size, capped by the service's limit.</summary>
    protected long RecordLimit => Math.Min(MaxRecordSize, ServiceRecordLimit) - RecordLimitOffset;

    /// <summary>Limits of one put call; by default those of batch_request_max_* (aggregation: one record per call).</summary>
    protected virtual BatchLimits PutLimits => Limits;

    protected BatchLimits Limits => new(BatchRequestMaxCount ?? ServiceBatchLimits.MaxCount, BatchRequestMaxSize ?? ServiceBatchLimits.MaxBytes);

    public override IEnumerable<string> PlaceholderParameters => new[] { StreamNameParameter };
    protected abstract string StreamNameParameter { get; }

    public override void Configure(ConfigSection config)
    {
        if (MaxRecordSize <= 0 || MaxRecordSize > ServiceRecordLimit && MaxRecordSize > DefaultMaxRecordSize)
            throw new ConfigException($"max_record_size can't be greater than {ServiceRecordLimit} bytes for {PluginName}", config.Find("max_record_size")!);
        if (BatchRequestMaxCount is { } count && (count <= 0 || count > ServiceBatchLimits.MaxCount))
            throw new ConfigException($"batch_request_max_count can't be greater than {ServiceBatchLimits.MaxCount}", config.Find("batch_request_max_count")!);
        if (BatchRequestMaxSize is { } size && (size <= 0 || size > ServiceBatchLimits.MaxBytes))
            throw new ConfigException($"batch_request_max_size can't be greater than {ServiceBatchLimits.MaxBytes}", config.Find("batch_request_max_size")!);
        if (RetriesOnBatchRequest < 0)
            throw new ConfigException("retries_on_batch_request must be 0 or more", config.Find("retries_on_batch_request")!);
        AwsClientParameters.Validate(this, config, PluginName);

        var formats = config.SectionsNamed("format").ToList();
        if (formats.Count > 1) throw new ConfigException("<format> may appear only once", formats[1]);
        var formatter = Context.CreateFormatter(formats.FirstOrDefault(), "json");
        _encoder = new RecordEncoder(formatter, DataKey, ChompRecord, Compression, Inject, Context.Hostname);
        _counters = new KinesisOutputCounters(Context.Metrics);
        _sender = new BatchSender(RetriesOnBatchRequest, ResetBackoffIfSuccess, BackoffBase, _counters);
        _pacedSender = new PacedSender(RetriesOnBatchRequest, ResetBackoffIfSuccess, BackoffBase, _counters);
    }

    /// <summary>The shard pacing of kinesis_streams (null: every put is shaped by the limits alone).</summary>
    protected virtual ShardPacer? Pacer => null;

    /// <summary>Per-shard metric names carry the stream when the stream name has placeholders (shard ids repeat
    /// from stream to stream).</summary>
    private string ShardMetricScope(string streamName) => HasPlaceholders(StreamNameTemplate) ? streamName + "/" : "";

    /// <summary>Buffer placeholders (${tag}, ${key}, %Y…) — characters no stream name may contain ([a-zA-Z0-9_.-]).</summary>
    protected static bool HasPlaceholders(string template) => template.IndexOfAny(['$', '%']) >= 0;

    /// <summary>The first wait of the per-batch backoff (the Ruby plugin's 0.3 s).</summary>
    protected virtual TimeSpan BackoffBase => Backoff.DefaultBase;

    protected AwsClientOptions ClientOptions() => AwsClientParameters.ClientOptions(this);

    protected AWSCredentials Credentials() => AwsClientParameters.Credentials(this);

    /// <summary>The Kinesis record of one event: its data (already encoded, in the chunk's arena) and, for Streams,
    /// its partition key. <paramref name="record"/> is the event decoded (with &lt;inject&gt;'s keys) when encoding had
    /// to decode it, else null: read a field from <paramref name="entry"/>'s bytes then.</summary>
    protected abstract OutgoingRecord ToRecord(ReadOnlyMemory<byte> data, in ChunkEntry entry, Record? record, int index);

    /// <summary>Bytes added after each record's data (Firehose's append_new_line), after compression.</summary>
    protected virtual ReadOnlySpan<byte> RecordSuffix => default;

    /// <summary>Turns the sendable records of a chunk into what is put (aggregation groups them).</summary>
    protected virtual IEnumerable<OutgoingRecord> Assemble(List<OutgoingRecord> records) => records;

    /// <summary>One put call to <paramref name="streamName"/>.</summary>
    protected abstract Task<IReadOnlyList<RecordOutcome>> PutAsync(string streamName, IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken);

    public override async Task WriteAsync(BufferChunk chunk, CancellationToken cancellationToken)
    {
        var encoder = _encoder ?? throw new InvalidOperationException($"{PluginName} is not configured");
        string streamName = chunk.Expand(StreamNameTemplate);
        using var arena = new RecordArena();

        var sendable = new List<OutgoingRecord>(chunk.RecordCount);
        int entryCount = 0;
        foreach (var entry in chunk)
        {
            int i = entryCount++;
            try
            {
                Record? record = null;
                var data = encoder.Encode(entry.Tag, entry.Time, entry.RecordBytes, ref record);
                var outgoing = ToRecord(arena.Copy(data.Span, RecordSuffix), entry, record, i);
                if (outgoing.Size > RecordLimit)
                    throw new SkippedRecordException(
                        $"record of {outgoing.Size} bytes (data + partition key) exceeds the {RecordLimit}-byte record limit of {PluginName} (max_record_size {MaxRecordSize}, service limit {ServiceRecordLimit})");
                sendable.Add(outgoing);
            }
            catch (SkippedRecordException e)
            {
                Reject(entry, e);
            }
        }

        var assembled = Assemble(sendable).ToList();
        var stillFailed = new List<OutgoingRecord>();
        PutBatch put = (records, ct) => PutAsync(streamName, records, ct);
        Action<OutgoingRecord> delivered = static r => r.Delivered = true;
        try
        {
            // A record over 1 MiB (max_record_size raised for a stream configured for large records) goes alone and
            // unpaced, first: if the service refuses it for its content — a stream not configured for large records,
            // or a request limit below the record — the record is the problem, not its chunk. It goes to @ERROR like
            // any record too large, and the rest of the chunk is still sent. (Other validation errors still fail the
            // chunk: they concern every request, e.g. a bad stream name.)
            foreach (var large in assembled.Where(r => r.Size > DefaultMaxRecordSize).ToList())
            {
                try
                {
                    var result = await _sender!.SendAsync(new[] { large }, put, delivered, cancellationToken).ConfigureAwait(false);
                    stillFailed.AddRange(result.StillFailed);
                }
                catch (AwsApiException e) when (IsRecordRefused(e))
                {
                    RejectEntries(chunk, large.Entries, new SkippedRecordException($"record of {large.Size} bytes (data + partition key) refused: {e.Message}"));
                    // Handled like a delivered record: should a later batch fail, it is not sent (nor rejected) again.
                    large.Delivered = true;
                }
            }
            var regular = assembled.Where(r => r.Size <= DefaultMaxRecordSize).ToList();
            var shards = Pacer is { } pacer ? await pacer.ShardsOfAsync(streamName, cancellationToken).ConfigureAwait(false) : null;
            if (shards?.Map is not null)
            {
                var result = await _pacedSender!.SendAsync(Pacer!, shards, regular, PutLimits, ShardMetricScope(streamName), put,
                    delivered, cancellationToken).ConfigureAwait(false);
                stillFailed.AddRange(result.StillFailed);
            }
            else
            {
                foreach (var batch in RecordBatcher.Split(regular, PutLimits))
                {
                    var result = await _sender!.SendAsync(batch, put, delivered, cancellationToken).ConfigureAwait(false);
                    stillFailed.AddRange(result.StillFailed);
                }
            }
        }
        catch (AwsApiException e)
        {
            if (!assembled.Any(r => r.Delivered))
            {
                // Nothing of this chunk reached the stream: the whole chunk is retried (or handed off) by the buffer.
                if (e.IsRetryable) throw;
                throw new UnrecoverableWriteException($"{PluginName} to '{streamName}': {e.Message}", e);
            }
            // Part of the chunk is delivered: give the buffer only the rest, so nothing accepted is sent twice. A
            // non-retryable error comes back on the rest's next attempt, with nothing delivered, and is handed off then.
            Requeue(chunk, assembled.Where(r => !r.Delivered).ToList(), e);
            return;
        }
        if (stillFailed.Count == 0) return;
        if (DropFailedRecordsAfterBatchRequestRetries)
        {
            foreach (var record in stillFailed)
            {
                Counters.Dropped(record.Entries.Length);
                Log.LogError("{Message}", Truncate($"Could not put record, Error: {record.LastErrorCode}/{record.LastErrorMessage}, dropped {record.Entries.Length} event(s) of {record.Size} bytes after {RetriesOnBatchRequest} retries"));
            }
            return;
        }
        Requeue(chunk, stillFailed, null);
    }

    /// <summary>A validation refusal of the request's content (400 ValidationException / InvalidArgumentException, or
    /// 413 from a front end): sending it again cannot succeed, and other requests are not concerned.</summary>
    private static bool IsRecordRefused(AwsApiException e) =>
        e.Kind == AwsFailureKind.ServiceError && !e.IsRetryable
        && (e.ErrorCode is "ValidationException" or "InvalidArgumentException" || e.StatusCode == 413);

    private void Requeue(BufferChunk chunk, List<OutgoingRecord> failed, Exception? cause)
    {
        var entries = failed.SelectMany(r => r.Entries).Distinct().Order().ToList();
        var all = chunk.ReadEntries();
        var spans = EntrySpans(all);
        var remainder = new byte[entries.Sum(i => spans[i].End - spans[i].Start)];
        int at = 0;
        foreach (var i in entries)
        {
            var span = all.Span[spans[i].Start..spans[i].End];
            span.CopyTo(remainder.AsSpan(at));
            at += span.Length;
        }
        Counters.Requeued(entries.Count);
        var codes = string.Join(", ", failed.GroupBy(r => r.LastErrorCode ?? cause?.GetType().Name ?? "?").Select(g => $"{g.Key}×{g.Count()}"));
        throw new PartialWriteException(
            $"{PluginName}: {entries.Count} of {chunk.RecordCount} events not delivered ({codes}); they go back to the buffer", remainder, entries.Count, cause);
    }

    private void Reject(ChunkEntry entry, SkippedRecordException error)
    {
        Counters.Rejected();
        Log.LogError("{Message}", Truncate($"{error.Message}; the event goes to @ERROR (tag {entry.Tag})"));
        Context.EmitError(entry.Tag, entry.Time, entry.DecodeRecord(), error);
    }

    /// <summary>Rejects the chunk's entries at <paramref name="indices"/> (found again by one walk of the chunk: rare, a
    /// record the service refused, which aggregated may carry thousands of events).</summary>
    private void RejectEntries(BufferChunk chunk, int[] indices, SkippedRecordException error)
    {
        var wanted = indices.ToHashSet();
        int i = 0;
        foreach (var entry in chunk)
            if (wanted.Contains(i++)) Reject(entry, error);
    }

    /// <summary>The byte range of each entry in the chunk, to rebuild a chunk of the ones that go back to the buffer.
    /// Walked only then: most chunks are delivered whole.</summary>
    private static List<(int Start, int End)> EntrySpans(ReadOnlyMemory<byte> entries)
    {
        var spans = new List<(int, int)>();
        var reader = new MessagePackReader(entries);
        while (!reader.End)
        {
            int start = (int)reader.Consumed;
            reader.Skip();
            spans.Add((start, (int)reader.Consumed));
        }
        return spans;
    }

    protected string Truncate(string message) =>
        LogTruncateMaxSize == 0 || message.Length <= LogTruncateMaxSize ? message : message[..LogTruncateMaxSize];
}
