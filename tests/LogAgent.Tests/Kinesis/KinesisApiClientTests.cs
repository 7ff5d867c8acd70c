using System.Text;
using Amazon.Runtime;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Tests.Support;

using LoopbackHttpServer = LogAgent.Tests.Kinesis.Support.LoopbackHttpServer;
using SigV4Reference = LogAgent.Tests.Kinesis.Support.SigV4Reference;
using StandInResponse = LogAgent.Tests.Kinesis.Support.StandInResponse;
using TestCredentials = LogAgent.Tests.Kinesis.Support.TestCredentials;

namespace LogAgent.Tests.Kinesis;

/// <summary>The Kinesis JSON 1.1 client against a real HTTP server on 127.0.0.1: the wire format and every way a call ends.</summary>
public class KinesisApiClientTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 30, 0, TimeSpan.Zero);
    private static readonly BasicAWSCredentials Keys = new("AKIDKINESIS", "kinesis-secret");

    private static KinesisApiClient Client(Uri endpoint, AWSCredentials? credentials = null, TimeSpan? timeout = null) =>
        new(new AwsClientOptions { Region = "us-east-1", Endpoint = endpoint, RequestTimeout = timeout ?? TimeSpan.FromSeconds(10) },
            credentials ?? Keys, new ManualTimeProvider(Now));

    private static readonly PutRecordsEntry[] TwoRecords =
    [
        new(Encoding.UTF8.GetBytes("{\"msg\":\"one\"}\n"), "key-1"),
        new(Encoding.UTF8.GetBytes("two"), "key-2"),
    ];

    [Fact]
    public async Task PutRecords_is_a_signed_json_1_1_post_with_base64_data()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(200, """{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"},{"SequenceNumber":"2","ShardId":"shardId-000000000001"}]}"""));
        using var client = Client(server.Endpoint);

        await client.PutRecordsAsync("access-logs", TwoRecords, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal("application/x-amz-json-1.1", request.Header("Content-Type"));
        Assert.Equal("Kinesis_20131202.PutRecords", request.Header("X-Amz-Target"));
        Assert.Equal("20260301T083000Z", request.Header("X-Amz-Date"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDKINESIS/20260301/us-east-1/kinesis/aws4_request, " +
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=", request.Header("Authorization"));
        Assert.True(SigV4Reference.IsSignedBy(request, new TestCredentials("AKIDKINESIS", "kinesis-secret")), "signature does not verify");
        Assert.False(request.HasHeader("X-Amz-Security-Token"));
        Assert.Equal("""{"StreamName":"access-logs","Records":[{"Data":"eyJtc2ciOiJvbmUifQo=","PartitionKey":"key-1"},{"Data":"dHdv","PartitionKey":"key-2"}]}""",
            request.BodyText);
    }

    [Fact]
    public async Task An_explicit_hash_key_is_sent_when_given()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(200, """{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"}]}"""));
        using var client = Client(server.Endpoint);
        await client.PutRecordsAsync("s", [new PutRecordsEntry("x"u8.ToArray(), "k", "170141183460469231731687303715884105728")], CancellationToken.None);
        Assert.Contains("\"ExplicitHashKey\":\"170141183460469231731687303715884105728\"", Assert.Single(server.Requests).BodyText);
    }

    [Fact]
    public async Task Session_credentials_send_and_sign_the_security_token()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(200, """{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"}]}"""));
        using var client = Client(server.Endpoint, new SessionAWSCredentials("ASIAKINESIS", "kinesis-secret", "the-token"));
        await client.PutRecordsAsync("s", [TwoRecords[0]], CancellationToken.None);
        var request = Assert.Single(server.Requests);
        Assert.Equal("the-token", request.Header("X-Amz-Security-Token"));
        Assert.Contains("x-amz-security-token", SigV4Reference.ParseAuthorization(request)!.SignedHeaders);
        Assert.True(SigV4Reference.IsSignedBy(request, new TestCredentials("ASIAKINESIS", "kinesis-secret", "the-token")));
    }

    [Fact]
    public async Task PutRecords_success_gives_each_record_its_shard()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(200, """{"FailedRecordCount":0,"Records":[{"SequenceNumber":"4962","ShardId":"shardId-000000000000"},{"SequenceNumber":"4963","ShardId":"shardId-000000000001"}],"EncryptionType":"NONE"}"""));
        using var client = Client(server.Endpoint);
        var result = await client.PutRecordsAsync("s", TwoRecords, CancellationToken.None);
        Assert.Equal(0, result.FailedRecordCount);
        Assert.Equal([new PutRecordsOutcome("shardId-000000000000", null, null), new PutRecordsOutcome("shardId-000000000001", null, null)], result.Records);
        Assert.Equal("NONE", result.EncryptionType);
    }

    [Fact]
    public async Task PutRecords_partial_failure_says_which_records_failed_and_why()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(200, """
            {"FailedRecordCount":1,"Records":[
              {"SequenceNumber":"4962","ShardId":"shardId-000000000000"},
              {"ErrorCode":"ProvisionedThroughputExceededException","ErrorMessage":"Rate exceeded for shard shardId-000000000001 in stream s under account 123456789012."}]}
            """));
        using var client = Client(server.Endpoint);
        var result = await client.PutRecordsAsync("s", TwoRecords, CancellationToken.None);
        Assert.Equal(1, result.FailedRecordCount);
        Assert.True(result.Records[0].Succeeded);
        Assert.False(result.Records[1].Succeeded);
        Assert.Equal("ProvisionedThroughputExceededException", result.Records[1].ErrorCode);
        Assert.StartsWith("Rate exceeded for shard shardId-000000000001", result.Records[1].ErrorMessage);
    }

    [Fact]
    public async Task A_response_with_fewer_outcomes_than_records_is_malformed_not_guessed()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(200, """{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"}]}"""));
        using var client = Client(server.Endpoint);
        var error = await Assert.ThrowsAsync<AwsApiException>(() => client.PutRecordsAsync("s", TwoRecords, CancellationToken.None));
        Assert.Equal(AwsFailureKind.MalformedResponse, error.Kind);
    }

    [Theory]
    [InlineData(400, "ProvisionedThroughputExceededException", true, true)]
    [InlineData(400, "com.amazonaws.kinesis.v20131202#ProvisionedThroughputExceededException", true, true)]
    [InlineData(400, "KMSThrottlingException", true, true)]
    [InlineData(400, "LimitExceededException", true, true)]
    [InlineData(500, "InternalFailure", true, false)]
    [InlineData(503, "ServiceUnavailable", true, false)]
    [InlineData(400, "ValidationException", false, false)]
    [InlineData(400, "InvalidArgumentException", false, false)]
    [InlineData(400, "ResourceNotFoundException", false, false)]
    [InlineData(400, "AccessDeniedException", false, false)]
    [InlineData(400, "UnrecognizedClientException", false, false)]
    [InlineData(400, "InvalidSignatureException", false, false)]
    [InlineData(400, "KMSAccessDeniedException", false, false)]
    public async Task Error_responses_become_typed_exceptions_classified_for_retry(int status, string type, bool retryable, bool throttling)
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(status, $$"""{"__type":"{{type}}","message":"explained"}"""));
        using var client = Client(server.Endpoint);
        var error = await Assert.ThrowsAsync<AwsApiException>(() => client.PutRecordsAsync("s", TwoRecords, CancellationToken.None));
        Assert.Equal(AwsFailureKind.ServiceError, error.Kind);
        Assert.Equal(type[(type.IndexOf('#') + 1)..], error.ErrorCode);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal("explained", error.ServiceMessage);
        Assert.Equal("PutRecords", error.Operation);
        Assert.Equal(retryable, error.IsRetryable);
        Assert.Equal(throttling, error.IsThrottling);
    }

    [Fact]
    public async Task The_x_amzn_ErrorType_header_names_the_error_before_the_body()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(400, """{"__type":"SomethingElse","Message":"Stream s under account 123456789012 not found."}""",
            ("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.kinesis.v20131202/")));
        using var client = Client(server.Endpoint);
        var error = await Assert.ThrowsAsync<AwsApiException>(() => client.PutRecordsAsync("s", TwoRecords, CancellationToken.None));
        Assert.Equal("ResourceNotFoundException", error.ErrorCode);
        Assert.Equal("Stream s under account 123456789012 not found.", error.ServiceMessage);
        Assert.False(error.IsRetryable);
    }

    [Fact]
    public async Task A_5xx_without_a_json_body_is_retryable()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Text(502, "<html>Bad Gateway</html>", "text/html"));
        using var client = Client(server.Endpoint);
        var error = await Assert.ThrowsAsync<AwsApiException>(() => client.PutRecordsAsync("s", TwoRecords, CancellationToken.None));
        Assert.Equal((null, 502, true), (error.ErrorCode, error.StatusCode, error.IsRetryable));
        Assert.Contains("Bad Gateway", error.ServiceMessage);
    }

    [Fact]
    public async Task ExpiredToken_is_retryable_and_makes_the_next_request_use_new_credentials()
    {
        int calls = 0;
        await using var server = LoopbackHttpServer.Answering(_ => Interlocked.Increment(ref calls) == 1
            ? StandInResponse.Json(400, """{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}""")
            : StandInResponse.Json(200, """{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"shardId-000000000000"}]}"""));
        using var credentials = new CountingRefreshingCredentials();
        using var client = Client(server.Endpoint, credentials);

        var error = await Assert.ThrowsAsync<AwsApiException>(() => client.PutRecordsAsync("s", [TwoRecords[0]], CancellationToken.None));
        Assert.True(error.IsRetryable);
        await client.PutRecordsAsync("s", [TwoRecords[0]], CancellationToken.None);

        var keys = server.Requests.Select(r => SigV4Reference.ParseAuthorization(r)!.AccessKey).ToList();
        Assert.Equal(["ASIAGENERATION1", "ASIAGENERATION2"], keys);
    }

    [Fact]
    public async Task No_answer_within_the_request_timeout_is_a_retryable_timeout()
    {
        using var release = new CancellationTokenSource();
        await using var server = LoopbackHttpServer.Answering(async (_, _) =>
        {
            await Task.Delay(Timeout.Infinite, release.Token);
            return StandInResponse.Json(200, "{}");
        });
        using var client = Client(server.Endpoint, timeout: TimeSpan.FromMilliseconds(300));
        var error = await Assert.ThrowsAsync<AwsApiException>(() => client.PutRecordsAsync("s", TwoRecords, CancellationToken.None));
        Assert.Equal((AwsFailureKind.Timeout, true), (error.Kind, error.IsRetryable));
        Assert.Single(server.Requests);
        release.Cancel();
    }

    [Fact]
    public async Task A_refused_connection_is_a_retryable_connection_failure()
    {
        using var client = Client(new Uri($"http://127.0.0.1:{FreePort.Get()}/"));
        var error = await Assert.ThrowsAsync<AwsApiException>(() => client.PutRecordsAsync("s", TwoRecords, CancellationToken.None));
        Assert.Equal((AwsFailureKind.ConnectionFailed, null, true), (error.Kind, error.StatusCode, error.IsRetryable));
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_reported_as_a_timeout()
    {
        using var release = new CancellationTokenSource();
        await using var server = LoopbackHttpServer.Answering(async (_, _) =>
        {
            await Task.Delay(Timeout.Infinite, release.Token);
            return StandInResponse.Json(200, "{}");
        });
        using var client = Client(server.Endpoint);
        using var cancel = new CancellationTokenSource();
        var put = client.PutRecordsAsync("s", TwoRecords, cancel.Token);
        await Eventually.True(() => !server.Requests.IsEmpty, TimeSpan.FromSeconds(10), () => "request not received");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => put);
        release.Cancel();
    }

    [Fact]
    public async Task ListShards_follows_NextToken_and_reads_128_bit_hash_ranges()
    {
        await using var server = LoopbackHttpServer.Answering(request => request.BodyText.Contains("NextToken")
            ? StandInResponse.Json(200, """{"Shards":[{"ShardId":"shardId-000000000001","ParentShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"170141183460469231731687303715884105728","EndingHashKey":"340282366920938463463374607431768211455"},"SequenceNumberRange":{"StartingSequenceNumber":"2"}}]}""")
            : StandInResponse.Json(200, """{"Shards":[{"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170141183460469231731687303715884105727"},"SequenceNumberRange":{"StartingSequenceNumber":"1","EndingSequenceNumber":"9"}}],"NextToken":"page-2"}"""));
        using var client = Client(server.Endpoint);

        var shards = await client.ListShardsAsync("access-logs", CancellationToken.None);

        Assert.Equal(["""{"StreamName":"access-logs"}""", """{"NextToken":"page-2"}"""], server.Requests.Select(r => r.BodyText));
        Assert.All(server.Requests, r => Assert.Equal("Kinesis_20131202.ListShards", r.Header("X-Amz-Target")));
        Assert.Equal(["shardId-000000000000", "shardId-000000000001"], shards.Select(s => s.ShardId));
        Assert.False(shards[0].IsOpen);
        Assert.True(shards[1].IsOpen);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 128) - 1, shards[1].EndingHashKey);
        Assert.True(shards[1].Contains(System.Numerics.BigInteger.Pow(2, 127)));
        Assert.False(shards[0].Contains(System.Numerics.BigInteger.Pow(2, 127)));
        Assert.Equal("shardId-000000000000", shards[1].ParentShardId);
    }

    [Fact]
    public async Task DescribeStreamSummary_reads_status_mode_and_open_shards()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(200, """
            {"StreamDescriptionSummary":{"StreamName":"access-logs","StreamARN":"arn:aws:kinesis:us-east-1:123456789012:stream/access-logs",
             "StreamStatus":"ACTIVE","StreamModeDetails":{"StreamMode":"PROVISIONED"},"RetentionPeriodHours":24,
             "StreamCreationTimestamp":1.7e9,"EnhancedMonitoring":[{"ShardLevelMetrics":[]}],"EncryptionType":"NONE","OpenShardCount":2,"ConsumerCount":0}}
            """));
        using var client = Client(server.Endpoint);
        var summary = await client.DescribeStreamSummaryAsync("access-logs", CancellationToken.None);
        Assert.Equal(new StreamSummary("access-logs", "arn:aws:kinesis:us-east-1:123456789012:stream/access-logs", "ACTIVE", "PROVISIONED", 2, "NONE", 24), summary);
        var request = Assert.Single(server.Requests);
        Assert.Equal("Kinesis_20131202.DescribeStreamSummary", request.Header("X-Amz-Target"));
        Assert.Equal("""{"StreamName":"access-logs"}""", request.BodyText);
    }

    [Fact]
    public void Without_endpoint_requests_go_to_the_regions_public_endpoint()
    {
        Assert.Equal("https://kinesis.eu-west-1.amazonaws.com/", new AwsClientOptions { Region = "eu-west-1" }.EndpointFor("kinesis").ToString());
        Assert.Equal("https://firehose.cn-north-1.amazonaws.com.cn/", new AwsClientOptions { Region = "cn-north-1" }.EndpointFor("firehose").ToString());
    }
}

/// <summary>Temporary credentials whose every generation has a new key: ASIAGENERATION1, 2, ...</summary>
internal sealed class CountingRefreshingCredentials : RefreshingAWSCredentials
{
    private int _generation;

    public CountingRefreshingCredentials() => PreemptExpiryTime = TimeSpan.Zero;

    protected override CredentialsRefreshState GenerateNewCredentials()
    {
        int generation = Interlocked.Increment(ref _generation);
        return new CredentialsRefreshState(new ImmutableCredentials($"ASIAGENERATION{generation}", "secret", "token"), DateTime.UtcNow.AddHours(1));
    }

    protected override Task<CredentialsRefreshState> GenerateNewCredentialsAsync() => Task.FromResult(GenerateNewCredentials());
}
