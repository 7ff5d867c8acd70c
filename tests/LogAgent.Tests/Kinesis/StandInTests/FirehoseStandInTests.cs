using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using LogAgent.Tests.Kinesis.Support;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Kinesis.StandInTests;

/// <summary>The Firehose stand-in: AWS's shapes, its signature check and limits, faults, down and back.</summary>
public class FirehoseStandInTests : IAsyncLifetime
{
    private const string Stream = "logs";
    private FirehoseStandIn _firehose = null!;
    private AwsJsonClient _client = null!;

    public Task InitializeAsync()
    {
        _firehose = new FirehoseStandIn().Start().CreateDeliveryStream(Stream);
        _client = Client(TestCredentials.Default);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _firehose.DisposeAsync();
    }

    private AwsJsonClient Client(TestCredentials? credentials, string service = "firehose") =>
        new(_firehose.Endpoint, "Firehose_20150804", service, credentials);

    private static object Batch(IEnumerable<byte[]> records, string stream = Stream) =>
        new { DeliveryStreamName = stream, Records = records.Select(d => new { Data = Convert.ToBase64String(d) }).ToList() };

    private static List<byte[]> Lines(int count, string prefix = "line") =>
        Enumerable.Range(0, count).Select(i => Encoding.UTF8.GetBytes($"{prefix} {i}\n")).ToList();

    [Fact]
    public async Task PutRecordBatch_answers_AWSs_shape_and_keeps_every_record()
    {
        var lines = Lines(3);
        var response = await _client.SendAsync("PutRecordBatch", Batch(lines));

        Assert.Equal(200, response.Status);
        var json = response.Json;
        Assert.Equal(new[] { "FailedPutCount", "Encrypted", "RequestResponses" }, json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, json.GetProperty("FailedPutCount").GetInt32());
        Assert.False(json.GetProperty("Encrypted").GetBoolean());
        var ids = json.GetProperty("RequestResponses").EnumerateArray()
            .Select(e => Assert.Single(e.EnumerateObject(), p => p.Name == "RecordId").Value.GetString()!).ToList();
        Assert.Equal(3, ids.Distinct().Count());

        var accepted = _firehose.AcceptedIn(Stream);
        Assert.Equal(lines.Select(AwsJsonClient.Utf8), accepted.Select(r => AwsJsonClient.Utf8(r.Data)));
        Assert.Equal(ids, accepted.Select(r => r.RecordId));
        Assert.Equal(3, _firehose.Counters.RecordsAccepted);
    }

    [Fact]
    public async Task PutRecord_and_DescribeDeliveryStream_answer_minimal_AWS_shapes()
    {
        var put = await _client.CallAsync("PutRecord", new { DeliveryStreamName = Stream, Record = new { Data = Convert.ToBase64String("one\n"u8.ToArray()) } });
        Assert.Equal(_firehose.Accepted.Single().RecordId, put.GetProperty("RecordId").GetString());

        var description = (await _client.CallAsync("DescribeDeliveryStream", new { DeliveryStreamName = Stream })).GetProperty("DeliveryStreamDescription");
        Assert.Equal(Stream, description.GetProperty("DeliveryStreamName").GetString());
        Assert.Equal("ACTIVE", description.GetProperty("DeliveryStreamStatus").GetString());
        Assert.Equal($"arn:aws:firehose:us-east-1:123456789012:deliverystream/{Stream}", description.GetProperty("DeliveryStreamARN").GetString());
    }

    [Fact]
    public async Task An_unknown_delivery_stream_is_not_found()
    {
        var response = await _client.SendAsync("PutRecordBatch", Batch(Lines(1), stream: "nope"));
        Assert.Equal((400, "ResourceNotFoundException", "Firehose nope under account 123456789012 not found."),
            (response.Status, response.ErrorType, response.ErrorMessage));
        Assert.Equal("ResourceNotFoundException", response.ErrorTypeHeader);
        Assert.Empty(_firehose.Accepted);
    }

    [Fact]
    public async Task A_bad_signature_is_refused_and_a_good_one_accepted()
    {
        var body = AwsJsonClient.Serialize(Batch(Lines(2)));
        using (var wrongSecret = Client(TestCredentials.Default with { SecretAccessKey = "wrong" }))
        {
            var refused = await wrongSecret.SendAsync("PutRecordBatch", body);
            Assert.Equal((400, "InvalidSignatureException", SigV4Reference.MismatchMessage), (refused.Status, refused.ErrorType, refused.ErrorMessage));
        }
        using (var kinesisScoped = Client(TestCredentials.Default, service: "kinesis"))
            Assert.Equal("Credential should be scoped to correct service: 'firehose'. ", (await kinesisScoped.SendAsync("PutRecordBatch", body)).ErrorMessage);
        using (var skewed = Client(TestCredentials.Default))
        {
            skewed.Clock = () => DateTimeOffset.UtcNow.AddMinutes(-20);
            Assert.StartsWith("Signature expired", (await skewed.SendAsync("PutRecordBatch", body)).ErrorMessage);
        }
        using (var unsigned = Client(credentials: null))
            Assert.Equal("UnrecognizedClientException", (await unsigned.SendAsync("PutRecordBatch", body)).ErrorType);

        Assert.Equal(4, _firehose.Counters.SignatureFailures);
        Assert.Empty(_firehose.Accepted);
        Assert.Equal(200, (await _client.SendAsync("PutRecordBatch", body)).Status);
        Assert.Equal(2, _firehose.Accepted.Count);
    }

    [Fact]
    public async Task More_than_500_records_is_a_validation_error()
    {
        var refused = await _client.SendAsync("PutRecordBatch", Batch(Lines(501)));
        Assert.Equal((400, "ValidationException"), (refused.Status, refused.ErrorType));
        Assert.StartsWith("1 validation error detected: Value '[com.amazonaws.firehose.v20150804.Record@", refused.ErrorMessage);
        Assert.EndsWith("]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500", refused.ErrorMessage);
        Assert.Equal(200, (await _client.SendAsync("PutRecordBatch", Batch(Lines(500)))).Status);
        Assert.Equal(500, _firehose.Accepted.Count);
    }

    [Fact]
    public async Task A_record_over_1000_KiB_is_a_validation_error_naming_it_and_exactly_1000_KiB_passes()
    {
        var refused = await _client.SendAsync("PutRecordBatch", Batch(new[] { new byte[10], new byte[1_024_001], new byte[1_024_000] }));
        Assert.Equal((400, "ValidationException",
                "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=1024001 cap=1024001]' at 'records.2.member.data' " +
                "failed to satisfy constraint: Member must have length less than or equal to 1024000"),
            (refused.Status, refused.ErrorType, refused.ErrorMessage));
        Assert.Empty(_firehose.Accepted);

        Assert.Equal(200, (await _client.SendAsync("PutRecordBatch", Batch(new[] { new byte[1_024_000] }))).Status);
        Assert.Equal(1_024_000, _firehose.Accepted.Single().Data.Length);
    }

    [Fact]
    public async Task More_than_4_MiB_in_one_request_is_an_invalid_argument_and_exactly_4_MiB_passes()
    {
        var exactly = Enumerable.Repeat(1_024_000, 4).Append(4 * 1024 * 1024 - 4 * 1_024_000).Select(n => new byte[n]).ToList();
        var over = exactly.Take(4).Append(new byte[exactly[4].Length + 1]).ToList();

        var refused = await _client.SendAsync("PutRecordBatch", Batch(over));
        Assert.Equal((400, "InvalidArgumentException", "Records size exceeds 4 MB limit"), (refused.Status, refused.ErrorType, refused.ErrorMessage));
        Assert.Empty(_firehose.Accepted);

        Assert.Equal(200, (await _client.SendAsync("PutRecordBatch", Batch(exactly))).Status);
        Assert.Equal(5, _firehose.Accepted.Count);
        Assert.Equal(1, _firehose.Counters.ValidationErrors);
    }

    [Fact]
    public async Task Failed_records_come_back_inside_a_200_and_are_not_kept()
    {
        _firehose.Faults.RecordFailureFraction = 0.1;
        var lines = Lines(500, "partial");

        var json = (await _client.CallAsync("PutRecordBatch", Batch(lines)));

        var entries = json.GetProperty("RequestResponses").EnumerateArray().ToList();
        Assert.Equal(500, entries.Count);
        var failed = entries.Select((e, i) => (e, i)).Where(x => x.e.TryGetProperty("ErrorCode", out _)).ToList();
        Assert.Equal(failed.Count, json.GetProperty("FailedPutCount").GetInt32());
        Assert.InRange(failed.Count, 20, 80); // 10 % of 500, give or take
        Assert.All(failed, x =>
        {
            Assert.Equal("ServiceUnavailableException", x.e.GetProperty("ErrorCode").GetString());
            Assert.Equal("Slow down.", x.e.GetProperty("ErrorMessage").GetString());
            Assert.False(x.e.TryGetProperty("RecordId", out _));
        });
        var failedLines = failed.Select(x => AwsJsonClient.Utf8(lines[x.i])).ToHashSet();
        var kept = _firehose.Accepted.Select(r => AwsJsonClient.Utf8(r.Data)).ToList();
        Assert.Equal(lines.Select(AwsJsonClient.Utf8).Where(l => !failedLines.Contains(l)), kept);
        Assert.Equal((500 - failed.Count, failed.Count), (_firehose.Counters.RecordsAccepted, _firehose.Counters.RecordsFailed));
    }

    [Fact]
    public async Task Whole_requests_fail_with_AWS_error_shapes_and_keep_nothing()
    {
        var body = Batch(Lines(5));
        _firehose.Faults.InternalErrorFraction = 1;
        var internalError = await _client.SendAsync("PutRecordBatch", body);
        _firehose.Faults.Clear();
        _firehose.Faults.ServiceUnavailableFraction = 1;
        var unavailable = await _client.SendAsync("PutRecordBatch", body);
        _firehose.Faults.Clear();
        _firehose.Faults.ThrottleFraction = 1;
        var throttled = await _client.SendAsync("PutRecordBatch", body);
        _firehose.Faults.Clear();
        _firehose.Faults.ResetFraction = 1;
        await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync("PutRecordBatch", body));

        Assert.Equal((500, "InternalFailure"), (internalError.Status, internalError.ErrorType));
        Assert.Equal((503, "ServiceUnavailableException", "ServiceUnavailableException"), (unavailable.Status, unavailable.ErrorType, unavailable.ErrorTypeHeader));
        Assert.Equal((503, "ServiceUnavailableException", "Slow down."), (throttled.Status, throttled.ErrorType, throttled.ErrorMessage));
        Assert.Equal((1L, 1L, 1L, 1L), (_firehose.Counters.InternalErrors, _firehose.Counters.ServiceUnavailable, _firehose.Counters.Throttles, _firehose.Counters.Resets));
        Assert.Empty(_firehose.Accepted);
    }

    [Fact]
    public async Task Added_latency_delays_the_answer()
    {
        _firehose.Faults.Latency = TimeSpan.FromMilliseconds(400);
        var watch = Stopwatch.StartNew();
        Assert.Equal(200, (await _client.SendAsync("PutRecordBatch", Batch(Lines(1)))).Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(390) /* Task.Delay may end a timer tick early */, $"answered after {watch.Elapsed}");
    }

    [Fact]
    public async Task Down_refuses_connections_and_back_listens_on_the_same_port()
    {
        int port = _firehose.Port;
        Assert.Equal(200, (await _client.SendAsync("PutRecordBatch", Batch(Lines(1, "before")))).Status); // a pooled connection is open

        _firehose.GoDown();

        Assert.True(_firehose.IsDown);
        using (var tcp = new TcpClient())
        {
            var refused = Assert.Throws<SocketException>(() => tcp.Connect(IPAddress.Loopback, port));
            Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
        }
        await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync("PutRecordBatch", Batch(Lines(1, "while down"))));

        _firehose.ComeBack();

        Assert.Equal(port, _firehose.Port);
        Assert.Equal(200, (await _client.SendAsync("PutRecordBatch", Batch(Lines(1, "after")))).Status);
        Assert.Equal(new[] { "before 0\n", "after 0\n" }, _firehose.Accepted.Select(r => AwsJsonClient.Utf8(r.Data)).Distinct());
    }

    [Fact]
    public async Task Under_record_and_request_faults_a_client_that_resends_only_what_failed_delivers_each_record_once()
    {
        // What the agent's Firehose test will check, done here by a minimal retrying client: 10 % of records failing
        // inside a 200, 10 % of requests answered 500/503, some throttling — and no record missing or accepted twice.
        _firehose.Faults.RecordFailureFraction = 0.1;
        _firehose.Faults.InternalErrorFraction = 0.05;
        _firehose.Faults.ServiceUnavailableFraction = 0.05;
        _firehose.Faults.ThrottleFraction = 0.05;
        var lines = Lines(5000, "exactly-once");
        int attempts = 0;

        foreach (var chunk in lines.Chunk(500))
        {
            var pending = chunk.ToList();
            while (pending.Count > 0)
            {
                Assert.True(++attempts < 500, "too many attempts: the stand-in keeps failing");
                var response = await _client.SendAsync("PutRecordBatch", Batch(pending));
                if (response.Status != 200) continue; // whole request failed: nothing was kept, send it all again
                var entries = response.Json.GetProperty("RequestResponses").EnumerateArray().ToList();
                pending = pending.Where((record, i) => entries[i].TryGetProperty("ErrorCode", out _)).ToList();
            }
        }

        var accepted = _firehose.AcceptedIn(Stream).Select(r => AwsJsonClient.Utf8(r.Data)).ToList();
        Assert.Equal(lines.Count, accepted.Count);
        Assert.Equal(lines.Select(AwsJsonClient.Utf8).Order(), accepted.Order());
        Assert.True(_firehose.Counters.RecordsFailed > 0 && _firehose.Counters.InternalErrors + _firehose.Counters.ServiceUnavailable + _firehose.Counters.Throttles > 0,
            "no fault was injected: the test proved nothing");
    }

    [Fact]
    public async Task Standalone_on_a_chosen_port_without_a_test_framework()
    {
        int port = FreePort.Get();
        await using var firehose = new FirehoseStandIn(port).Start();
        firehose.CreateDeliveryStream("bench");
        using var client = new AwsJsonClient(new Uri($"http://127.0.0.1:{port}/"), "Firehose_20150804", "firehose", TestCredentials.Default);
        Assert.Equal(200, (await client.SendAsync("PutRecordBatch", Batch(Lines(2), "bench"))).Status);
        Assert.Equal(2, firehose.Counters.RecordsAccepted);
    }
}
