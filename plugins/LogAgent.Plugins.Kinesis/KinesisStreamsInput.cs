using System.Globalization;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Consumer;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Plugins;
using Microsoft.Extensions.Logging;

namespace LogAgent.Plugins.Kinesis;

/// <summary>
/// <c>&lt;source&gt; @type kinesis_streams</c>: reads a Kinesis Data Stream and emits its records as events, at least
/// once. One reader per shard (<see cref="ShardReader"/>), started by <see cref="ShardCoordinator"/> in lineage order;
/// checkpoints in one state file per stream (<see cref="ShardCheckpointStore"/>) advance only after the events were
/// accepted by every matching output's buffer. Records are decoded by <see cref="ConsumedRecordDecoder"/>: KPL
/// aggregates split, data inflated, CloudWatch Logs envelopes opened, text parsed by <c>&lt;parse&gt;</c> (default
/// json). The connection and credential parameters are the outputs' (aws-fluent-plugin-kinesis's names).
/// Design and sources: research/kinesis-input.md.
/// </summary>
[Plugin(PluginKind.Input, "kinesis_streams", "Reads a Kinesis Data Stream (every shard, in lineage order across resharding) and emits its records, checkpointing after the buffers took them.",
    Aliases = new[] { "kinesis_streams_input" })]
public sealed class KinesisStreamsInput : InputPlugin, IAwsClientParameters
{
    public const int MaxRecordsLimit = 10_000;

    private ConsumedRecordOptions? _options;
    private ConfigSection? _parseSection;
    private string _parserType = "json";
    private InitialPosition _initial;
    private DateTimeOffset? _initialTimestamp;
    private string _statePath = "";
    private KinesisStreamRef _stream;
    private ShardCheckpointStore? _store;
    private KinesisApiClient? _client;
    private CancellationTokenSource? _stopping;
    private Task? _coordinator;

    [Parameter("stream_name", "The stream to read (or stream_arn).")]
    public string? StreamName { get; set; }

    [Parameter("stream_arn", "The stream to read, by ARN (another account's stream; the region defaults to the ARN's).")]
    public string? StreamArn { get; set; }

    [Parameter("tag", "The events' tag; ${partition_key}, ${shard_id} and ${FIELD} (a top-level record field) are replaced.")]
    public string? Tag { get; set; }

    [Parameter("tag_key", "Take the tag from this record field (as relayed events carry theirs); tag is used when the field is missing.")]
    public string? TagKey { get; set; }

    [Parameter("initial_position", "Where a shard without a checkpoint starts: TRIM_HORIZON (its oldest record), LATEST (new records only) or AT_TIMESTAMP.",
        AllowedValues = new[] { "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP" })]
    public string InitialPositionName { get; set; } = "TRIM_HORIZON";

    [Parameter("initial_timestamp", "The time AT_TIMESTAMP starts at: ISO 8601 (2026-12-07T10:00:00Z) or seconds since the epoch.")]
    public string? InitialTimestamp { get; set; }

    [Parameter("state_dir", "Directory of the state file (REGION.STREAM.json); default <system> root_dir/kinesis_streams.")]
    public string? StateDir { get; set; }

    [Parameter("checkpoint_path", "The state file itself (instead of state_dir).")]
    public string? CheckpointPath { get; set; }

    [Parameter("fetch_interval", "How long a shard's reader sleeps once it has read everything there is.", Kind = ParameterKind.Time)]
    public double FetchInterval { get; set; } = 1;

    [Parameter("max_records_per_call", "Records per GetRecords call (at most 10000); with the shard count, it bounds the records held in memory.")]
    public int MaxRecordsPerCall { get; set; } = MaxRecordsLimit;

    [Parameter("shard_sync_interval", "How often the shards are listed again to find new ones (they are listed at once when a shard ends, too).", Kind = ParameterKind.Time)]
    public double ShardSyncInterval { get; set; } = 60;

    [Parameter("shard_ids", "Read only these shards (and the closed shards they descend from); the others are left to other agents.")]
    public string[]? ShardIds { get; set; }

    [Parameter("deaggregate", "Split KPL aggregated records (kinesis_streams_aggregated, the KPL) into their user records.")]
    public bool Deaggregate { get; set; } = true;

    [Parameter("decompress", "How the records' data is compressed: none, gzip, zlib, or auto (by its first bytes).",
        AllowedValues = new[] { "none", "gzip", "zlib", "auto" })]
    public string Decompress { get; set; } = "none";

    [Parameter("format", "raw: each record is one text for <parse>; cloudwatch_logs: a CloudWatch Logs subscription envelope, one event per log event.",
        AllowedValues = new[] { "raw", "cloudwatch_logs" })]
    public string Format { get; set; } = "raw";

    [Parameter("partition_key_key", "Add the record's partition key under this field (a relay puts it back with partition_key).")]
    public string? PartitionKeyKey { get; set; }

    [Parameter("sequence_number_key", "Add the record's sequence number under this field.")]
    public string? SequenceNumberKey { get; set; }

    [Parameter("shard_id_key", "Add the record's shard id under this field.")]
    public string? ShardIdKey { get; set; }

    // ---- the outputs' connection and credential parameters (kinesis_helper/client.rb) ----------------------------
    [Parameter("region", "AWS region (default: the ARN's, AWS_REGION, AWS_DEFAULT_REGION).")]
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

    public override void Configure(ConfigSection config)
    {
        if (string.IsNullOrEmpty(StreamName) == string.IsNullOrEmpty(StreamArn))
            throw new ConfigException("kinesis_streams input: give one of stream_name and stream_arn", config);
        if (StreamArn is { Length: > 0 } arn)
        {
            var parts = arn.Split(':');
            if (parts.Length < 6 || parts[0] != "arn" || parts[2] != "kinesis" || !parts[5].StartsWith("stream/", StringComparison.Ordinal))
                throw new ConfigException($"stream_arn '{arn}' is not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)", config.Find("stream_arn")!);
            Region ??= parts[3];
        }
        _stream = new KinesisStreamRef(string.IsNullOrEmpty(StreamName) ? null : StreamName, string.IsNullOrEmpty(StreamArn) ? null : StreamArn);
        AwsClientParameters.Validate(this, config, "kinesis_streams input");

        if (Tag is null && TagKey is null) throw new ConfigException("kinesis_streams input: 'tag' or 'tag_key' is required", config);
        TagTemplate? tag = null;
        if (Tag is not null)
        {
            try
            {
                tag = TagTemplate.Parse(Tag);
            }
            catch (FormatException e)
            {
                throw new ConfigException(e.Message, config.Find("tag")!);
            }
        }
        if (MaxRecordsPerCall < 1 || MaxRecordsPerCall > MaxRecordsLimit)
            throw new ConfigException($"max_records_per_call must be between 1 and {MaxRecordsLimit} (GetRecords' limit)", config.Find("max_records_per_call")!);
        if (FetchInterval < 0) throw new ConfigException("fetch_interval must be 0 or more", config.Find("fetch_interval")!);
        if (ShardSyncInterval < 1) throw new ConfigException("shard_sync_interval must be at least 1 second", config.Find("shard_sync_interval")!);

        _initial = InitialPositionName switch
        {
            "LATEST" => InitialPosition.Latest,
            "AT_TIMESTAMP" => InitialPosition.AtTimestamp,
            _ => InitialPosition.TrimHorizon,
        };
        if (InitialTimestamp is { } ts)
        {
            _initialTimestamp = ParseTimestamp(ts) ?? throw new ConfigException(
                $"initial_timestamp '{ts}' is neither an ISO 8601 time nor seconds since the epoch", config.Find("initial_timestamp")!);
        }
        if (_initial == InitialPosition.AtTimestamp && _initialTimestamp is null)
            throw new ConfigException("initial_position AT_TIMESTAMP needs initial_timestamp", config.Find("initial_position")!);

        _statePath = StatePathFor(config);

        var parses = config.SectionsNamed("parse").ToList();
        if (parses.Count > 1) throw new ConfigException("<parse> may appear only once", parses[1]);
        _parseSection = parses.FirstOrDefault();
        bool cloudWatch = Format == "cloudwatch_logs";
        // A CloudWatch log event's message is usually plain text; a raw record is usually JSON.
        _parserType = cloudWatch ? "none" : "json";
        CreateParser(); // configuration errors of <parse> are reported now, not when the first shard starts

        _options = new ConsumedRecordOptions(tag, TagKey, Deaggregate, RecordDecompression.Parse(Decompress), cloudWatch,
            PartitionKeyKey, SequenceNumberKey, ShardIdKey);
    }

    private string StatePathFor(ConfigSection config)
    {
        if (CheckpointPath is { Length: > 0 } path)
        {
            if (StateDir is not null) throw new ConfigException("give state_dir or checkpoint_path, not both", config.Find("checkpoint_path")!);
            return path;
        }
        var region = AwsClientOptions.RegionFromConfigOrEnvironment(Region)!;
        var name = $"{region}.{_stream.DisplayName}.json";
        if (StateDir is { Length: > 0 } dir) return Path.Combine(dir, name);
        if (Context.RootDirectory is { } root) return Path.Combine(root, "kinesis_streams", Id ?? "default", name);
        throw new ConfigException("kinesis_streams input: 'state_dir' or 'checkpoint_path' is required (or <system> root_dir), to keep the shards' checkpoints", config);
    }

    private static DateTimeOffset? ParseTimestamp(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    /// <summary>A parser per shard reader (parsers are not shared between threads). Without a configured
    /// estimate_current_event, a record without a time takes its ApproximateArrivalTimestamp, not the time of reading.</summary>
    private ParserPlugin CreateParser()
    {
        var parser = Context.CreateParser(_parseSection, _parserType);
        if (_parseSection is null || !_parseSection.Has("estimate_current_event")) parser.EstimateCurrentEvent = false;
        return parser;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // A state file that cannot be read, or one another agent holds, stops the start here with its name.
        _store = ShardCheckpointStore.Open(_statePath, _stream.DisplayName);
        _client = new KinesisApiClient(AwsClientParameters.ClientOptions(this), AwsClientParameters.Credentials(this));
        _stopping = new CancellationTokenSource();
        var settings = new ShardReadSettings(MaxRecordsPerCall, TimeSpan.FromSeconds(FetchInterval));
        var options = _options!;
        var coordinator = new ShardCoordinator(_client, _stream, _store, _initial, _initialTimestamp,
            ShardIds is { Length: > 0 } ids ? new HashSet<string>(ids, StringComparer.Ordinal) : null,
            TimeSpan.FromSeconds(ShardSyncInterval),
            start => new ShardReader(_client, _stream, start, _store, new ConsumedRecordDecoder(options, CreateParser(), Context.EmitError),
                Context.Router, Log, new ShardReadMetrics(Context.Metrics, start.ShardId, TimeProvider.System), settings),
            Log);
        Log.LogInformation("consuming {Stream} with checkpoints in {Path}", _stream.DisplayName, _statePath);
        _coordinator = Task.Run(() => coordinator.RunAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping?.Cancel();
        if (_coordinator is not null)
        {
            try
            {
                await _coordinator.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
        }
    }

    public override Task ShutdownAsync(CancellationToken cancellationToken)
    {
        _client?.Dispose();
        _store?.Dispose();
        return Task.CompletedTask;
    }
}
