using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LogAgent.Tests.Kinesis.Support;

namespace LogAgent.Tests.Kinesis.StandInTests;

/// <summary>The fault-injecting proxy in front of kinesalite: signatures, PutRecords limits, and AWS-shaped faults.</summary>
public class KinesisFaultProxyTests : IClassFixture<KinesaliteFixture>, IAsyncLifetime
{
    private readonly KinesaliteFixture _kinesalite;
    private KinesisFaultProxy _proxy = null!;
    private KinesisTestClient _client = null!;   // signed with the proxy's credentials, through the proxy
    private KinesisTestClient _direct = null!;   // straight to kinesalite, to see what it stored

    public KinesisFaultProxyTests(KinesaliteFixture kinesalite) => _kinesalite = kinesalite;

    public Task InitializeAsync()
    {
        _proxy = new KinesisFaultProxy(_kinesalite.Server.Endpoint).Start();
        _client = new KinesisTestClient(_proxy.Endpoint, TestCredentials.Default);
        _direct = new KinesisTestClient(_kinesalite.Server.Endpoint);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _direct.Dispose();
        await _proxy.DisposeAsync();
    }

    private async Task<(string Stream, IReadOnlyList<KinesisShard> Shards)> NewStreamAsync(string purpose, int shards = 2)
    {
        var stream = KinesaliteFixture.NewStreamName(purpose);
        await _client.CreateStreamAsync(stream, shards);
        return (stream, await _client.ListShardsAsync(stream));
    }

    private static List<(string PartitionKey, byte[] Data)> Records(int count, string prefix = "r", int size = 0) =>
        Enumerable.Range(0, count).Select(i => ($"{prefix}-pk-{i}", Encoding.UTF8.GetBytes($"{prefix}-{i}".PadRight(size, '.')))).ToList();

    [Fact]
    public async Task A_thousand_records_put_through_the_proxy_are_read_back_exactly_once_on_the_shard_their_key_hashes_to()
    {
        var (stream, shards) = await NewStreamAsync("thousand");
        var sent = Records(1000, "thousand");
        foreach (var batch in sent.Chunk(250))
            Assert.Equal(0, (await _client.PutRecordsAsync(stream, batch)).FailedRecordCount);

        var read = await _client.ReadAllAsync(stream); // GetRecords through the proxy too
        Assert.Equal(1000, read.Count);
        var byData = read.ToDictionary(r => AwsJsonClient.Utf8(r.Data)); // throws on a duplicate
        foreach (var (key, data) in sent)
        {
            var stored = byData[AwsJsonClient.Utf8(data)];
            Assert.Equal(key, stored.PartitionKey);
            Assert.Equal(KinesisHashKey.ShardFor(shards, key).ShardId, stored.ShardId);
        }
        Assert.Equal(2, read.Select(r => r.ShardId).Distinct().Count());
        Assert.Equal(1000, _proxy.Counters.RecordsAccepted);
        Assert.Equal(0, _proxy.Counters.SignatureFailures);
    }

    [Fact]
    public async Task A_bad_signature_is_refused_before_kinesalite_sees_it_and_a_good_one_passes()
    {
        var (stream, _) = await NewStreamAsync("signature");
        var body = AwsJsonClient.Serialize(KinesisTestClient.PutRecordsBody(stream, Records(3, "sig")));
        long forwarded = _proxy.Counters.Forwarded;

        // Signed with another secret.
        using (var wrongSecret = new KinesisTestClient(_proxy.Endpoint, TestCredentials.Default with { SecretAccessKey = "not-the-secret" }))
        {
            var refused = await wrongSecret.SendAsync("PutRecords", body);
            Assert.Equal((400, "InvalidSignatureException", SigV4Reference.MismatchMessage), (refused.Status, refused.ErrorType, refused.ErrorMessage));
        }
        // Signed right, then the body changed on the way.
        var altered = await _client.SendAsync("PutRecords", body, tamper: m => m.Content = new ByteArrayContent(body.Concat(" "u8.ToArray()).ToArray())
        {
            Headers = { ContentType = new("application/x-amz-json-1.1") },
        });
        Assert.Equal((400, "InvalidSignatureException"), (altered.Status, altered.ErrorType));
        // Signed for Firehose.
        using (var firehoseScoped = new AwsJsonClient(_proxy.Endpoint, "Kinesis_20131202", "firehose", TestCredentials.Default))
            Assert.Equal("InvalidSignatureException", (await firehoseScoped.SendAsync("PutRecords", body)).ErrorType);
        // Unsigned (kinesalite would take this dummy header).
        using (var unsigned = new KinesisTestClient(_proxy.Endpoint))
            Assert.Equal("UnrecognizedClientException", (await unsigned.SendAsync("PutRecords", body)).ErrorType);

        Assert.Equal(4, _proxy.Counters.SignatureFailures);
        Assert.Equal(forwarded, _proxy.Counters.Forwarded);
        Assert.Empty(await _direct.ReadAllAsync(stream));

        var accepted = await _client.SendAsync("PutRecords", body);
        Assert.Equal(200, accepted.Status);
        Assert.Equal(3, (await _direct.ReadAllAsync(stream)).Count);
    }

    [Fact]
    public async Task More_than_500_records_is_a_validation_error()
    {
        var (stream, _) = await NewStreamAsync("count");
        var response = await _client.SendAsync("PutRecords", KinesisTestClient.PutRecordsBody(stream, Records(501, "count")));
        Assert.Equal((400, "ValidationException"), (response.Status, response.ErrorType));
        Assert.StartsWith("1 validation error detected: Value '[com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@", response.ErrorMessage);
        Assert.EndsWith("]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500", response.ErrorMessage);

        Assert.Equal(200, (await _client.SendAsync("PutRecords", KinesisTestClient.PutRecordsBody(stream, Records(500, "count")))).Status);
        Assert.Equal(1, _proxy.Counters.LimitRejections);
        Assert.Equal(500, (await _direct.ReadAllAsync(stream)).Count);
    }

    [Fact]
    public async Task Records_of_more_than_5_MiB_with_their_partition_keys_are_an_invalid_argument_and_exactly_5_MiB_passes()
    {
        var (stream, _) = await NewStreamAsync("size");
        // Five records of 1 MiB - 1 byte of data with a one-byte key: 5 MiB exactly, including partition keys.
        var atLimit = Enumerable.Range(0, 5).Select(i => (PartitionKey: ((char)('a' + i)).ToString(), Data: new byte[1024 * 1024 - 1])).ToList();
        var over = atLimit.Select((r, i) => i == 0 ? (r.PartitionKey + "z", r.Data) : r).ToList();

        var refused = await _client.SendAsync("PutRecords", KinesisTestClient.PutRecordsBody(stream, over));
        Assert.Equal((400, "InvalidArgumentException", "Records size exceeds 5 MB limit"), (refused.Status, refused.ErrorType, refused.ErrorMessage));
        Assert.Empty(await _direct.ReadAllAsync(stream));

        var accepted = await _client.SendAsync("PutRecords", KinesisTestClient.PutRecordsBody(stream, atLimit));
        Assert.Equal(200, accepted.Status);
        Assert.Equal(5, (await _direct.ReadAllAsync(stream)).Count);
        Assert.Equal(1, _proxy.Counters.LimitRejections);
    }

    [Fact]
    public async Task Injected_record_failures_come_back_inside_a_200_and_only_the_other_records_are_stored()
    {
        var (stream, shards) = await NewStreamAsync("partial");
        _proxy.Faults.ThroughputExceededFraction = 0.2;
        _proxy.Faults.InternalFailureFraction = 0.1;
        var sent = Records(500, "partial");

        var response = await _client.SendAsync("PutRecords", KinesisTestClient.PutRecordsBody(stream, sent));
        Assert.Equal(200, response.Status);
        var outcome = KinesisTestClient.ParsePutRecords(response.Json);
        Assert.Equal(500, outcome.Records.Count);
        Assert.Equal(outcome.Records.Count(r => r.Failed), outcome.FailedRecordCount);
        Assert.InRange(outcome.FailedRecordCount, 1, 499); // both kinds of entry are in the answer

        var throttled = outcome.Records.Select((r, i) => (r, i)).Where(x => x.r.ErrorCode == "ProvisionedThroughputExceededException").ToList();
        var internalFailures = outcome.Records.Where(r => r.ErrorCode == "InternalFailure").ToList();
        Assert.NotEmpty(throttled);
        Assert.NotEmpty(internalFailures);
        foreach (var (entry, i) in throttled)
        {
            Assert.Null(entry.ShardId);
            Assert.Null(entry.SequenceNumber);
            Assert.Equal($"Rate exceeded for shard {KinesisHashKey.ShardFor(shards, sent[i].PartitionKey).ShardId} in stream {stream} under account 000000000000.", entry.ErrorMessage);
        }
        Assert.All(internalFailures, r => Assert.Equal("Internal service failure.", r.ErrorMessage));
        // Every record the answer says was stored is stored, on its shard, with its sequence number; no other is.
        var stored = (await _direct.ReadAllAsync(stream)).ToDictionary(r => AwsJsonClient.Utf8(r.Data));
        for (int i = 0; i < sent.Count; i++)
        {
            var entry = outcome.Records[i];
            if (entry.Failed)
            {
                Assert.False(stored.ContainsKey(AwsJsonClient.Utf8(sent[i].Data)), $"record {i} answered {entry.ErrorCode} but stored");
                continue;
            }
            var record = stored[AwsJsonClient.Utf8(sent[i].Data)];
            Assert.Equal((entry.ShardId, entry.SequenceNumber), (record.ShardId, record.SequenceNumber));
        }
        Assert.Equal(500 - outcome.FailedRecordCount, stored.Count);

        Assert.Equal(stored.Count, _proxy.Counters.RecordsAccepted);
        Assert.Equal(throttled.Count, _proxy.Counters.RecordsFailed["ProvisionedThroughputExceededException"]);
        Assert.Equal(internalFailures.Count, _proxy.Counters.RecordsFailed["InternalFailure"]);
    }

    [Fact]
    public async Task When_every_record_fails_nothing_is_forwarded()
    {
        var (stream, _) = await NewStreamAsync("allfail");
        _proxy.Faults.ThroughputExceededFraction = 1;
        long forwarded = _proxy.Counters.Forwarded;

        var outcome = await _client.PutRecordsAsync(stream, Records(10, "allfail"));

        Assert.Equal(10, outcome.FailedRecordCount);
        Assert.All(outcome.Records, r => Assert.Equal("ProvisionedThroughputExceededException", r.ErrorCode));
        Assert.Equal(forwarded, _proxy.Counters.Forwarded);
        Assert.Empty(await _direct.ReadAllAsync(stream));
    }

    [Fact]
    public async Task Whole_requests_fail_with_AWS_error_shapes_and_nothing_is_stored()
    {
        var (stream, _) = await NewStreamAsync("whole");
        var body = KinesisTestClient.PutRecordsBody(stream, Records(5, "whole"));

        _proxy.Faults.InternalErrorFraction = 1;
        var internalError = await _client.SendAsync("PutRecords", body);
        _proxy.Faults.Clear();
        _proxy.Faults.ServiceUnavailableFraction = 1;
        var unavailable = await _client.SendAsync("PutRecords", body);
        _proxy.Faults.Clear();
        _proxy.Faults.ThrottleFraction = 1;
        var throttled = await _client.SendAsync("PutRecords", body);

        Assert.Equal((500, "InternalFailure"), (internalError.Status, internalError.ErrorType));
        Assert.Equal((503, "ServiceUnavailableException"), (unavailable.Status, unavailable.ErrorType));
        Assert.Equal((400, "ProvisionedThroughputExceededException", $"Rate exceeded for stream {stream} under account 000000000000."),
            (throttled.Status, throttled.ErrorType, throttled.ErrorMessage));
        Assert.Equal((1, 1, 1), (_proxy.Counters.InternalErrors, _proxy.Counters.ServiceUnavailable, _proxy.Counters.Throttles));
        Assert.Empty(await _direct.ReadAllAsync(stream));
        // Faults touch only the chosen operations: ListShards still answers while PutRecords is throttled.
        Assert.Equal(2, (await _client.ListShardsAsync(stream)).Count);
    }

    [Fact]
    public async Task A_reset_connection_reaches_the_client_as_a_transport_error_and_stores_nothing()
    {
        var (stream, _) = await NewStreamAsync("reset");
        _proxy.Faults.ResetFraction = 1;

        await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync("PutRecords", KinesisTestClient.PutRecordsBody(stream, Records(5, "reset"))));

        Assert.Equal(1, _proxy.Counters.Resets);
        Assert.Empty(await _direct.ReadAllAsync(stream));
        _proxy.Faults.Clear();
        Assert.Equal(0, (await _client.PutRecordsAsync(stream, Records(5, "reset"))).FailedRecordCount);
    }

    [Fact]
    public async Task A_reset_after_forwarding_stores_the_records_the_client_could_not_learn_about()
    {
        var (stream, _) = await NewStreamAsync("ambiguous");
        _proxy.Faults.ResetAfterForwardFraction = 1;

        await Assert.ThrowsAsync<HttpRequestException>(() => _client.SendAsync("PutRecords", KinesisTestClient.PutRecordsBody(stream, Records(5, "ambiguous"))));

        Assert.Equal(1, _proxy.Counters.ResetsAfterForward);
        Assert.Equal(5, (await _direct.ReadAllAsync(stream)).Count);
    }

    [Fact]
    public async Task Added_latency_delays_the_answer()
    {
        var (stream, _) = await NewStreamAsync("latency");
        _proxy.Faults.Latency = TimeSpan.FromMilliseconds(400);
        var watch = Stopwatch.StartNew();
        Assert.Equal(0, (await _client.PutRecordsAsync(stream, Records(1, "latency"))).FailedRecordCount);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(390) /* Task.Delay may end a timer tick early */, $"answered after {watch.Elapsed}");
    }

    [Fact]
    public async Task Kinesalite_errors_pass_through_unchanged()
    {
        var response = await _client.SendAsync("PutRecords", KinesisTestClient.PutRecordsBody("no-such-stream", Records(1)));
        Assert.Equal((400, "ResourceNotFoundException"), (response.Status, response.ErrorType));
        Assert.Equal("Stream no-such-stream under account 000000000000 not found.", response.ErrorMessage);
        Assert.Equal(JsonValueKind.Object, response.Json.ValueKind);
    }
}
