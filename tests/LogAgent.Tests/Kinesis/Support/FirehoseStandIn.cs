using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LogAgent.Tests.Kinesis.Support;

/// <summary>
/// What <see cref="FirehoseStandIn"/> does wrong on purpose, to PutRecordBatch and PutRecord requests. Firehose has no
/// throttling error of its own for puts: over its limits it answers HTTP 503 <c>ServiceUnavailableException</c>
/// "Slow down." — the message it also gives records that failed inside a 200 answer.
/// </summary>
public sealed class FirehoseFaults : RequestFaults
{
    /// <summary>Records answered <c>ServiceUnavailableException</c> "Slow down." inside a 200 answer.</summary>
    public double RecordFailureFraction { get; set; }

    public override void Clear()
    {
        base.Clear();
        RecordFailureFraction = 0;
    }
}

/// <summary>What the stand-in did, counted as it happened.</summary>
public sealed class FirehoseCounters : StandInCounters
{
    internal long validationErrors, recordsAccepted, recordsFailed;

    /// <summary>Requests refused with a 400 for their content (limits, unknown stream, bad JSON).</summary>
    public long ValidationErrors => Interlocked.Read(ref validationErrors);
    public long RecordsAccepted => Interlocked.Read(ref recordsAccepted);
    /// <summary>Records answered with an ErrorCode inside a 200 answer.</summary>
    public long RecordsFailed => Interlocked.Read(ref recordsFailed);
}

/// <summary>A record the stand-in accepted: its delivery stream, its bytes and the RecordId it answered.</summary>
public sealed record FirehoseRecord(string DeliveryStreamName, byte[] Data, string RecordId);

/// <summary>
/// A stand-in for Amazon Data Firehose's API (Firehose_20150804, JSON 1.1) over real HTTP on 127.0.0.1 — no local
/// Firehose exists to run. PutRecordBatch, PutRecord and a minimal DescribeDeliveryStream, with AWS's request, answer
/// and error shapes; every request's SigV4 signature is checked (service <c>firehose</c>); the limits are AWS's
/// (500 records, 4 MiB per request, 1,000 KiB per record); faults on demand (<see cref="Faults"/>), and down
/// (connections refused) and back on the same port. Every accepted record is kept (<see cref="Accepted"/>), so a test
/// can check that nothing is missing or duplicated. Free of any test framework: the benchmark runs it too —
/// <c>await using var firehose = new FirehoseStandIn(port).Start(); firehose.CreateDeliveryStream("logs");</c>.
/// </summary>
public sealed class FirehoseStandIn : IAsyncDisposable
{
    public const string AccountId = "123456789012";
    public const int MaxRecordsPerRequest = 500;
    /// <summary>"Each record in the request can be as large as 1,000 KB (before base64 encoding)": the API's constraint is 1024000.</summary>
    public const int MaxRecordBytes = 1_024_000;
    /// <summary>"up to a limit of 4 MB for the entire request".</summary>
    public const int MaxRequestBytes = 4 * 1024 * 1024;

    private readonly LoopbackHttpServer _server;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _streams = new();
    private readonly ConcurrentQueue<FirehoseRecord> _accepted = new();
    private readonly FaultDice _dice;
    private long _recordIds;

    public FirehoseStandIn(int port = 0, TestCredentials? credentials = null, string region = "us-east-1", int seed = 6)
    {
        Credentials = credentials ?? TestCredentials.Default;
        Region = region;
        _dice = new FaultDice(seed);
        _server = new LoopbackHttpServer(HandleAsync, port);
    }

    public TestCredentials Credentials { get; }
    public string Region { get; }
    public FirehoseFaults Faults { get; } = new();
    public FirehoseCounters Counters { get; } = new();
    public int Port => _server.Port;
    public Uri Endpoint => _server.Endpoint;
    public bool IsDown => !_server.IsListening;

    /// <summary>False keeps only counts and record ids, not the bytes (for long benchmark runs).</summary>
    public bool KeepRecordData { get; set; } = true;

    /// <summary>The clock signatures are checked against.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Every record accepted so far, in the order accepted.</summary>
    public IReadOnlyList<FirehoseRecord> Accepted => _accepted.ToArray();

    public IReadOnlyList<FirehoseRecord> AcceptedIn(string deliveryStreamName) =>
        _accepted.Where(r => r.DeliveryStreamName == deliveryStreamName).ToList();

    public FirehoseStandIn Start()
    {
        _server.Start();
        return this;
    }

    /// <summary>A delivery stream puts may name; any other name is answered ResourceNotFoundException.</summary>
    public FirehoseStandIn CreateDeliveryStream(string name)
    {
        _streams.TryAdd(name, DateTimeOffset.UtcNow);
        return this;
    }

    /// <summary>Closes the listener and every connection: connecting is refused until <see cref="ComeBack"/>.</summary>
    public void GoDown() => _server.Stop();

    /// <summary>Listens again, on the same port.</summary>
    public void ComeBack() => _server.Start();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private StandInResponse ClientError(string type, string message)
    {
        Interlocked.Increment(ref Counters.validationErrors);
        return StandInResponse.AwsError(400, type, message);
    }

    private async Task<StandInResponse> HandleAsync(StandInRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Counters.requests);
        if (SigV4Reference.Verify(request, Credentials, Region, "firehose", Clock()) is { } failure)
        {
            Interlocked.Increment(ref Counters.signatureFailures);
            return StandInResponse.AwsError(400, failure.Type, failure.Message);
        }
        var target = request.Header("X-Amz-Target") ?? "";
        if (!target.StartsWith("Firehose_20150804.", StringComparison.Ordinal)) return ClientError("UnknownOperationException", "");
        string operation = target["Firehose_20150804.".Length..];

        JsonObject? json;
        try { json = JsonNode.Parse(request.Body) as JsonObject; } catch (JsonException) { json = null; }
        if (json is null) return ClientError("SerializationException", "");

        return operation switch
        {
            "PutRecordBatch" => await PutAsync(json, json["Records"] as JsonArray, batch: true, cancellationToken),
            "PutRecord" => await PutAsync(json, json["Record"] is JsonObject r ? new JsonArray(r.DeepClone()) : null, batch: false, cancellationToken),
            "DescribeDeliveryStream" => Describe(json),
            _ => ClientError("UnknownOperationException", ""),
        };
    }

    private StandInResponse Describe(JsonObject json)
    {
        var name = json["DeliveryStreamName"]?.GetValue<string>() ?? "";
        if (!_streams.TryGetValue(name, out var created)) return NotFound(name);
        var description = new JsonObject
        {
            ["DeliveryStreamDescription"] = new JsonObject
            {
                ["DeliveryStreamName"] = name,
                ["DeliveryStreamARN"] = $"arn:aws:firehose:{Region}:{AccountId}:deliverystream/{name}",
                ["DeliveryStreamStatus"] = "ACTIVE",
                ["DeliveryStreamType"] = "DirectPut",
                ["VersionId"] = "1",
                ["CreateTimestamp"] = created.ToUnixTimeMilliseconds() / 1000.0,
                ["Destinations"] = new JsonArray(),
                ["HasMoreDestinations"] = false,
            },
        };
        return StandInResponse.Json(200, description.ToJsonString());
    }

    private StandInResponse NotFound(string name) =>
        ClientError("ResourceNotFoundException", $"Firehose {name} under account {AccountId} not found.");

    private async Task<StandInResponse> PutAsync(JsonObject json, JsonArray? records, bool batch, CancellationToken cancellationToken)
    {
        // AWS's framework validates the shape first (ValidationException, its "N validation errors detected: ..."
        // wording, up to 10), then the service its own rules (InvalidArgumentException, ResourceNotFoundException).
        string recordsField = batch ? "records" : "record";
        var errors = new List<string>();
        var nameNode = json["DeliveryStreamName"];
        if (nameNode is null) errors.Add("Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null");
        if (records is null) errors.Add($"Value null at '{recordsField}' failed to satisfy constraint: Member must not be null");
        else if (batch && records.Count == 0)
            errors.Add("Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1");
        else if (records.Count > MaxRecordsPerRequest)
            errors.Add($"Value '[{string.Join(", ", Enumerable.Repeat("com.amazonaws.firehose.v20150804.Record@f1d2c3b4", records.Count))}]' at 'records' failed to satisfy constraint: Member must have length less than or equal to {MaxRecordsPerRequest}");

        var data = new List<byte[]>();
        if (records is not null && records.Count <= MaxRecordsPerRequest)
        {
            for (int i = 0; i < records.Count; i++)
            {
                byte[] bytes;
                try { bytes = Convert.FromBase64String(records[i]?["Data"]?.GetValue<string>() ?? ""); }
                catch (FormatException) { return ClientError("SerializationException", ""); }
                data.Add(bytes);
                string at = batch ? $"records.{i + 1}.member.data" : "record.data";
                if (bytes.Length > MaxRecordBytes && errors.Count < 10)
                    errors.Add($"Value 'java.nio.HeapByteBuffer[pos=0 lim={bytes.Length} cap={bytes.Length}]' at '{at}' failed to satisfy constraint: Member must have length less than or equal to {MaxRecordBytes}");
            }
        }
        if (errors.Count > 0)
            return ClientError("ValidationException", $"{errors.Count} validation error{(errors.Count > 1 ? "s" : "")} detected: {string.Join("; ", errors)}");
        // The wording AWS answers (seen in osquery/osquery#3568).
        if (data.Sum(d => (long)d.Length) > MaxRequestBytes) return ClientError("InvalidArgumentException", "Records size exceeds 4 MB limit");

        string name = nameNode!.GetValue<string>();
        if (!_streams.ContainsKey(name)) return NotFound(name);

        if (await Faults.InjectAsync(_dice, Counters, "The request processing has failed because of an unknown error, exception or failure.",
                () => StandInResponse.AwsError(503, "ServiceUnavailableException", "Slow down."), cancellationToken) is { } fault)
            return fault;

        var answers = new JsonArray();
        int failed = 0;
        foreach (var bytes in data)
        {
            if (_dice.Roll(Faults.RecordFailureFraction))
            {
                failed++;
                answers.Add(new JsonObject { ["ErrorCode"] = "ServiceUnavailableException", ["ErrorMessage"] = "Slow down." });
                continue;
            }
            string id = NewRecordId();
            _accepted.Enqueue(new FirehoseRecord(name, KeepRecordData ? bytes : Array.Empty<byte>(), id));
            answers.Add(new JsonObject { ["RecordId"] = id });
        }
        Interlocked.Add(ref Counters.recordsAccepted, data.Count - failed);

        if (!batch)
        {
            // PutRecord has no partial failure: its one record failing is the whole request failing.
            if (failed == 1)
            {
                Interlocked.Increment(ref Counters.throttles);
                return StandInResponse.AwsError(503, "ServiceUnavailableException", "Slow down.");
            }
            return StandInResponse.Json(200, new JsonObject { ["RecordId"] = answers[0]!["RecordId"]!.GetValue<string>(), ["Encrypted"] = false }.ToJsonString());
        }
        Interlocked.Add(ref Counters.recordsFailed, failed);
        var answer = new JsonObject { ["FailedPutCount"] = failed, ["Encrypted"] = false, ["RequestResponses"] = answers };
        return StandInResponse.Json(200, answer.ToJsonString());
    }

    /// <summary>Opaque and unique like AWS's (which are long base64-like strings).</summary>
    private string NewRecordId() =>
        $"{Interlocked.Increment(ref _recordIds):x12}{Guid.NewGuid():N}{Guid.NewGuid():N}";
}
