using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogAgent.Tests.Kinesis.Support;

/// <summary>
/// What <see cref="KinesisFaultProxy"/> does wrong on purpose. Whole-request faults and latency apply to the operations
/// in <see cref="Operations"/>; a throttled request is answered HTTP 400 <c>ProvisionedThroughputExceededException</c>
/// (data-plane operations) or <c>LimitExceededException</c> (the others). Per-record failures apply to PutRecords.
/// </summary>
public sealed class KinesisFaults : RequestFaults
{
    /// <summary>Records answered <c>ProvisionedThroughputExceededException</c> inside a 200 PutRecords answer.</summary>
    public double ThroughputExceededFraction { get; set; }
    /// <summary>Records answered <c>InternalFailure</c> inside a 200 PutRecords answer.</summary>
    public double InternalFailureFraction { get; set; }
    /// <summary>Requests forwarded (and so stored) whose connection is then reset instead of answered: an ambiguous failure.</summary>
    public double ResetAfterForwardFraction { get; set; }

    public IReadOnlySet<string> Operations { get; set; } = new HashSet<string> { "PutRecords", "PutRecord" };

    /// <summary>
    /// Enforce each shard's write limits as AWS does: a PutRecords record that would take its shard past
    /// <see cref="ShardRecordsPerSecond"/> records or <see cref="ShardBytesPerSecond"/> bytes (data + partition key)
    /// within the last second is answered <c>ProvisionedThroughputExceededException</c> (Kinesis Data Streams quotas:
    /// 1,000 records and 1 MiB per second per shard for writes). The proxy learns the shards from kinesalite
    /// (ListShards) and counts the records it accepts over a sliding one-second window.
    /// </summary>
    public bool EnforceShardThroughput { get; set; }
    public int ShardRecordsPerSecond { get; set; } = 1000;
    public long ShardBytesPerSecond { get; set; } = 1024 * 1024;

    public override void Clear()
    {
        base.Clear();
        ThroughputExceededFraction = InternalFailureFraction = ResetAfterForwardFraction = 0;
        EnforceShardThroughput = false;
    }
}

/// <summary>What the proxy did, counted as it happened.</summary>
public sealed class KinesisProxyCounters : StandInCounters
{
    internal long limitRejections, resetsAfterForward, forwarded, recordsAccepted;
    internal readonly ConcurrentDictionary<string, long> recordsFailed = new();

    /// <summary>Requests refused for the 500-record or 5 MiB limit.</summary>
    public long LimitRejections => Interlocked.Read(ref limitRejections);
    public long ResetsAfterForward => Interlocked.Read(ref resetsAfterForward);
    /// <summary>Requests passed on to kinesalite.</summary>
    public long Forwarded => Interlocked.Read(ref forwarded);
    /// <summary>PutRecords/PutRecord records kinesalite stored.</summary>
    public long RecordsAccepted => Interlocked.Read(ref recordsAccepted);
    internal long shardLimitThrottles;
    internal readonly ConcurrentDictionary<string, ConcurrentQueue<TimeSpan>> acceptedAt = new();

    /// <summary>Records refused for their shard's write limit (<see cref="KinesisFaults.EnforceShardThroughput"/>).</summary>
    public long ShardLimitThrottles => Interlocked.Read(ref shardLimitThrottles);

    /// <summary>When each record a shard accepted under <see cref="KinesisFaults.EnforceShardThroughput"/> arrived
    /// (time since the proxy started, in arrival order), by shard id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<TimeSpan>> ShardAcceptTimes =>
        acceptedAt.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<TimeSpan>)kv.Value.ToList());

    /// <summary>Records answered as failed, by ErrorCode (injected here or from kinesalite).</summary>
    public IReadOnlyDictionary<string, long> RecordsFailed => new Dictionary<string, long>(recordsFailed);
    public long RecordsFailedTotal => recordsFailed.Values.Sum();
}

/// <summary>
/// A proxy of the Kinesis Data Streams API in front of kinesalite, over real HTTP on 127.0.0.1, for what kinesalite does
/// not do: it checks every request's SigV4 signature (service <c>kinesis</c>, <see cref="TestCredentials"/>), enforces
/// PutRecords' 500-record and 5 MiB limits, and injects faults on demand (<see cref="Faults"/>). Per-record failures
/// are spliced as AWS would answer them: only the records that did not fail are forwarded to kinesalite, and the
/// answer lists every record in request order with <c>FailedRecordCount</c> counting both kinds. Bodies are read whole
/// (the signature covers the body's hash, and splicing needs the whole request and answer).
/// </summary>
public sealed class KinesisFaultProxy : IAsyncDisposable
{
    /// <summary>kinesalite's account id (AWS_ACCOUNT_ID unset), which AWS messages name.</summary>
    public const string AccountId = "000000000000";
    /// <summary>"up to a limit of 5 MiB for the entire request, including partition keys" (PutRecords API reference).</summary>
    public const int MaxRequestRecordBytes = 5 * 1024 * 1024;
    public const int MaxRecordsPerRequest = 500;

    private static readonly HashSet<string> DataPlane = new() { "PutRecords", "PutRecord", "GetRecords", "GetShardIterator" };
    private readonly Uri _upstream;
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = TimeSpan.FromSeconds(60) };
    private readonly KinesisTestClient _shardLookup;
    private readonly ConcurrentDictionary<string, IReadOnlyList<KinesisShard>> _shards = new();
    private readonly LoopbackHttpServer _server;
    private readonly FaultDice _dice;
    private readonly System.Diagnostics.Stopwatch _sinceStart = System.Diagnostics.Stopwatch.StartNew();
    private readonly Dictionary<string, ShardWindow> _shardWindows = new();

    public KinesisFaultProxy(Uri upstream, TestCredentials? credentials = null, string region = "us-east-1", int port = 0, int seed = 6)
    {
        _upstream = upstream;
        Credentials = credentials ?? TestCredentials.Default;
        Region = region;
        _dice = new FaultDice(seed);
        _shardLookup = new KinesisTestClient(upstream);
        _server = new LoopbackHttpServer(HandleAsync, port);
    }

    public TestCredentials Credentials { get; }
    public string Region { get; }
    public KinesisFaults Faults { get; } = new();
    public KinesisProxyCounters Counters { get; } = new();
    public int Port => _server.Port;
    public Uri Endpoint => _server.Endpoint;

    /// <summary>The clock signatures are checked against.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    public KinesisFaultProxy Start()
    {
        _server.Start();
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _http.Dispose();
        _shardLookup.Dispose();
    }

    private async Task<StandInResponse> HandleAsync(StandInRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Counters.requests);
        var target = request.Header("X-Amz-Target") ?? "";
        string operation = target.StartsWith("Kinesis_20131202.", StringComparison.Ordinal) ? target["Kinesis_20131202.".Length..] : "";

        if (SigV4Reference.Verify(request, Credentials, Region, "kinesis", Clock()) is { } failure)
        {
            Interlocked.Increment(ref Counters.signatureFailures);
            return StandInResponse.AwsError(400, failure.Type, failure.Message);
        }

        JsonObject? json = null;
        try { json = JsonNode.Parse(request.Body) as JsonObject; } catch (JsonException) { } // kinesalite answers SerializationException
        string stream = json?["StreamName"]?.GetValue<string>() ?? "";

        JsonArray? records = operation == "PutRecords" ? json?["Records"] as JsonArray : null;
        if (records is not null && LimitError(records) is { } limit)
        {
            Interlocked.Increment(ref Counters.limitRejections);
            return limit;
        }

        bool faulty = Faults.Operations.Contains(operation);
        if (faulty && await Faults.InjectAsync(_dice, Counters, "Internal service failure.", () => DataPlane.Contains(operation)
                ? StandInResponse.AwsError(400, "ProvisionedThroughputExceededException",
                    stream.Length > 0 ? $"Rate exceeded for stream {stream} under account {AccountId}." : "Rate exceeded for shard.")
                : StandInResponse.AwsError(400, "LimitExceededException", $"Rate exceeded for stream {stream} under account {AccountId}."),
                cancellationToken) is { } fault)
            return fault;

        var response = records is not null && faulty
            ? await PutRecordsWithFailuresAsync(request, json!, records, stream, cancellationToken)
            : await ForwardAsync(request, request.Body, cancellationToken);

        if (response.Status == 200 && operation is "PutRecords" or "PutRecord")
            CountRecords(operation, response);
        if (faulty && _dice.Roll(Faults.ResetAfterForwardFraction))
        {
            Interlocked.Increment(ref Counters.resetsAfterForward);
            return StandInResponse.Reset;
        }
        return response;
    }

    /// <summary>PutRecords' limits, checked as AWS does before anything is stored.</summary>
    private static StandInResponse? LimitError(JsonArray records)
    {
        if (records.Count > MaxRecordsPerRequest)
        {
            // kinesalite's wording of AWS's validation message (validations/index.js, memberStr of putRecords.js).
            var members = string.Join(", ", Enumerable.Repeat("com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310", records.Count));
            return StandInResponse.AwsError(400, "ValidationException",
                $"1 validation error detected: Value '[{members}]' at 'records' failed to satisfy constraint: Member must have length less than or equal to {MaxRecordsPerRequest}");
        }
        long size = 0;
        foreach (var record in records)
        {
            var data = record?["Data"]?.GetValue<string>() ?? "";
            var key = record?["PartitionKey"]?.GetValue<string>() ?? "";
            size += Base64DecodedLength(data) + Encoding.UTF8.GetByteCount(key);
        }
        // The wording AWS answers (seen in aws/amazon-kinesis-streams-for-fluent-bit#21).
        return size > MaxRequestRecordBytes ? StandInResponse.AwsError(400, "InvalidArgumentException", "Records size exceeds 5 MB limit") : null;
    }

    private static long Base64DecodedLength(string base64)
    {
        if (base64.Length == 0) return 0;
        int padding = base64.EndsWith("==", StringComparison.Ordinal) ? 2 : base64.EndsWith('=') ? 1 : 0;
        return base64.Length / 4 * 3 - padding;
    }

    private void CountRecords(string operation, StandInResponse response)
    {
        var answer = JsonDocument.Parse(response.Body).RootElement;
        if (operation == "PutRecord")
        {
            Interlocked.Increment(ref Counters.recordsAccepted);
            return;
        }
        foreach (var r in answer.GetProperty("Records").EnumerateArray())
        {
            if (r.TryGetProperty("ErrorCode", out var code)) Counters.recordsFailed.AddOrUpdate(code.GetString()!, 1, (_, n) => n + 1);
            else Interlocked.Increment(ref Counters.recordsAccepted);
        }
    }

    private async Task<StandInResponse> PutRecordsWithFailuresAsync(StandInRequest request, JsonObject json, JsonArray records,
        string stream, CancellationToken cancellationToken)
    {
        var injected = new (string Code, string Message)?[records.Count];
        int injectedCount = 0;
        for (int i = 0; i < records.Count; i++)
        {
            if (_dice.Roll(Faults.ThroughputExceededFraction)) injected[i] = ("ProvisionedThroughputExceededException", "");
            else if (_dice.Roll(Faults.InternalFailureFraction)) injected[i] = ("InternalFailure", "Internal service failure.");
            if (injected[i] is not null) injectedCount++;
        }
        if (Faults.EnforceShardThroughput) injectedCount += await ThrottleOverShardLimitsAsync(stream, records, injected);
        if (injectedCount == 0) return await ForwardAsync(request, request.Body, cancellationToken);

        // AWS's throttling message names the record's shard: "Rate exceeded for shard shardId-000000000001 in stream
        // exampleStreamName under account 111111111111." (PutRecords API reference, example response).
        IReadOnlyList<KinesisShard> shards;
        try
        {
            shards = _shards.TryGetValue(stream, out var known) ? known : _shards[stream] = await _shardLookup.ListShardsAsync(stream);
        }
        catch (AwsErrorException)
        {
            return await ForwardAsync(request, request.Body, cancellationToken); // no such stream: kinesalite answers the error
        }
        for (int i = 0; i < records.Count; i++)
        {
            if (injected[i] is not { Code: "ProvisionedThroughputExceededException" }) continue;
            var shard = KinesisHashKey.ShardFor(shards, records[i]!["PartitionKey"]!.GetValue<string>(), records[i]!["ExplicitHashKey"]?.GetValue<string>());
            injected[i] = ("ProvisionedThroughputExceededException", $"Rate exceeded for shard {shard.ShardId} in stream {stream} under account {AccountId}.");
        }

        JsonArray? upstreamRecords = null;
        int upstreamFailed = 0;
        string? encryptionType = null;
        if (injectedCount < records.Count)
        {
            var subset = (JsonObject)json.DeepClone();
            subset["Records"] = new JsonArray(records.Where((_, i) => injected[i] is null).Select(r => r!.DeepClone()).ToArray());
            var upstream = await ForwardAsync(request, Encoding.UTF8.GetBytes(subset.ToJsonString()), cancellationToken);
            if (upstream.Status != 200) return upstream;
            var answer = JsonNode.Parse(upstream.Body)!.AsObject();
            upstreamRecords = answer["Records"]!.AsArray();
            upstreamFailed = answer["FailedRecordCount"]!.GetValue<int>();
            encryptionType = answer["EncryptionType"]?.GetValue<string>();
        }

        var spliced = new JsonArray();
        int next = 0;
        for (int i = 0; i < records.Count; i++)
        {
            spliced.Add(injected[i] is { } f
                ? new JsonObject { ["ErrorCode"] = f.Code, ["ErrorMessage"] = f.Message }
                : upstreamRecords![next++]!.DeepClone());
        }
        var result = new JsonObject { ["FailedRecordCount"] = injectedCount + upstreamFailed, ["Records"] = spliced };
        if (encryptionType is not null) result["EncryptionType"] = encryptionType;
        return StandInResponse.Json(200, result.ToJsonString());
    }

    /// <summary>
    /// Marks the records (not already failed) that their shard cannot take within its sliding one-second window;
    /// counts the others into their shard's window and accept log. Returns how many it marked.
    /// </summary>
    private async Task<int> ThrottleOverShardLimitsAsync(string stream, JsonArray records, (string Code, string Message)?[] injected)
    {
        IReadOnlyList<KinesisShard> shards;
        try
        {
            shards = _shards.TryGetValue(stream, out var known) ? known : _shards[stream] = await _shardLookup.ListShardsAsync(stream);
        }
        catch (AwsErrorException)
        {
            return 0; // no such stream: kinesalite answers the error
        }
        int throttled = 0;
        lock (_shardWindows)
        {
            var now = _sinceStart.Elapsed;
            for (int i = 0; i < records.Count; i++)
            {
                if (injected[i] is not null) continue;
                var key = records[i]!["PartitionKey"]!.GetValue<string>();
                var shard = KinesisHashKey.ShardFor(shards, key, records[i]!["ExplicitHashKey"]?.GetValue<string>()).ShardId;
                long bytes = Base64DecodedLength(records[i]!["Data"]?.GetValue<string>() ?? "") + Encoding.UTF8.GetByteCount(key);
                if (!_shardWindows.TryGetValue(shard, out var window)) _shardWindows[shard] = window = new ShardWindow();
                while (window.Records.Count > 0 && now - window.Records.Peek().At >= TimeSpan.FromSeconds(1)) window.Bytes -= window.Records.Dequeue().Bytes;
                if (window.Records.Count + 1 > Faults.ShardRecordsPerSecond || window.Bytes + bytes > Faults.ShardBytesPerSecond)
                {
                    injected[i] = ("ProvisionedThroughputExceededException", $"Rate exceeded for shard {shard} in stream {stream} under account {AccountId}.");
                    Interlocked.Increment(ref Counters.shardLimitThrottles);
                    throttled++;
                    continue;
                }
                window.Records.Enqueue((now, bytes));
                window.Bytes += bytes;
                Counters.acceptedAt.GetOrAdd(shard, _ => new ConcurrentQueue<TimeSpan>()).Enqueue(now);
            }
        }
        return throttled;
    }

    /// <summary>What a shard accepted in the last second: each record's arrival and size, and their total.</summary>
    private sealed class ShardWindow
    {
        public readonly Queue<(TimeSpan At, long Bytes)> Records = new();
        public long Bytes;
    }

    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Content-Type", "Connection", "Transfer-Encoding", "Expect", "Keep-Alive",
    };

    private async Task<StandInResponse> ForwardAsync(StandInRequest request, byte[] body, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Counters.forwarded);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_upstream, request.Target));
        message.Content = new ByteArrayContent(body);
        if (request.Header("Content-Type") is { } contentType) message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        foreach (var h in request.Headers)
            if (!HopByHop.Contains(h.Key)) message.Headers.TryAddWithoutValidation(h.Key, h.Value);

        using var response = await _http.SendAsync(message, cancellationToken);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var h in response.Headers.Concat(response.Content.Headers))
            if (h.Key is "Content-Type" or "x-amzn-RequestId" or "x-amz-id-2" or "x-amzn-ErrorType")
                headers.Add(KeyValuePair.Create(h.Key, string.Join(",", h.Value)));
        return new StandInResponse((int)response.StatusCode, answer, headers);
    }
}
