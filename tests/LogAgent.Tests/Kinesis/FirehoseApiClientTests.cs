using System.Text;
using Amazon.Runtime;
using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Tests.Support;

using LoopbackHttpServer = LogAgent.Tests.Kinesis.Support.LoopbackHttpServer;
using SigV4Reference = LogAgent.Tests.Kinesis.Support.SigV4Reference;
using StandInResponse = LogAgent.Tests.Kinesis.Support.StandInResponse;
using TestCredentials = LogAgent.Tests.Kinesis.Support.TestCredentials;

namespace LogAgent.Tests.Kinesis;

/// <summary>The Firehose JSON 1.1 client against a real HTTP server on 127.0.0.1.</summary>
public class FirehoseApiClientTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 30, 0, TimeSpan.Zero);

    private static FirehoseApiClient Client(Uri endpoint) =>
        new(new AwsClientOptions { Region = "eu-west-1", Endpoint = endpoint }, new BasicAWSCredentials("AKIDFIREHOSE", "firehose-secret"), new ManualTimeProvider(Now));

    private static readonly ReadOnlyMemory<byte>[] ThreeRecords =
        [Encoding.UTF8.GetBytes("{\"a\":1}\n"), Encoding.UTF8.GetBytes("{\"a\":2}\n"), Encoding.UTF8.GetBytes("{\"a\":3}\n")];

    [Fact]
    public async Task PutRecordBatch_is_a_signed_json_1_1_post_with_base64_data()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(200, """{"FailedPutCount":0,"Encrypted":false,"RequestResponses":[{"RecordId":"r1"},{"RecordId":"r2"},{"RecordId":"r3"}]}"""));
        using var client = Client(server.Endpoint);

        var result = await client.PutRecordBatchAsync("to-s3", ThreeRecords, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/"), (request.Method, request.Path));
        Assert.Equal("application/x-amz-json-1.1", request.Header("Content-Type"));
        Assert.Equal("Firehose_20150804.PutRecordBatch", request.Header("X-Amz-Target"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDFIREHOSE/20260301/eu-west-1/firehose/aws4_request, ", request.Header("Authorization"));
        Assert.True(SigV4Reference.IsSignedBy(request, new TestCredentials("AKIDFIREHOSE", "firehose-secret")), "signature does not verify");
        Assert.Equal("""{"DeliveryStreamName":"to-s3","Records":[{"Data":"eyJhIjoxfQo="},{"Data":"eyJhIjoyfQo="},{"Data":"eyJhIjozfQo="}]}""", request.BodyText);
        Assert.Equal(0, result.FailedPutCount);
        Assert.Equal(false, result.Encrypted);
        Assert.Equal([true, true, true], result.RequestResponses.Select(r => r.Succeeded));
    }

    [Fact]
    public async Task PutRecordBatch_partial_failure_says_which_records_failed_and_why()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(200, """
            {"FailedPutCount":2,"Encrypted":false,"RequestResponses":[
              {"ErrorCode":"ServiceUnavailableException","ErrorMessage":"Slow down."},
              {"RecordId":"r2"},
              {"ErrorCode":"InternalFailure","ErrorMessage":"Internal service failure."}]}
            """));
        using var client = Client(server.Endpoint);
        var result = await client.PutRecordBatchAsync("to-s3", ThreeRecords, CancellationToken.None);
        Assert.Equal(2, result.FailedPutCount);
        Assert.Equal([false, true, false], result.RequestResponses.Select(r => r.Succeeded));
        Assert.Equal(["ServiceUnavailableException", null, "InternalFailure"], result.RequestResponses.Select(r => r.ErrorCode));
        Assert.Equal("Slow down.", result.RequestResponses[0].ErrorMessage);
    }

    [Fact]
    public async Task A_throttled_batch_is_a_retryable_error()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(400, """{"__type":"ServiceUnavailableException","message":"Slow down."}"""));
        using var client = Client(server.Endpoint);
        var error = await Assert.ThrowsAsync<AwsApiException>(() => client.PutRecordBatchAsync("to-s3", ThreeRecords, CancellationToken.None));
        Assert.Equal(("ServiceUnavailableException", 400, true), (error.ErrorCode, error.StatusCode, error.IsRetryable));
    }

    [Fact]
    public async Task A_missing_delivery_stream_is_not_retryable()
    {
        await using var server = LoopbackHttpServer.Answering(_ => StandInResponse.Json(400, """{"__type":"ResourceNotFoundException","message":"Firehose to-s3 under account 123456789012 not found."}"""));
        using var client = Client(server.Endpoint);
        var error = await Assert.ThrowsAsync<AwsApiException>(() => client.PutRecordBatchAsync("to-s3", ThreeRecords, CancellationToken.None));
        Assert.Equal(("ResourceNotFoundException", false), (error.ErrorCode, error.IsRetryable));
        Assert.Equal("PutRecordBatch", error.Operation);
    }
}
