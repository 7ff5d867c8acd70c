using Amazon.Runtime;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// <see cref="IFirehoseApi"/> over the Kinesis Data Firehose JSON API: target prefix <c>Firehose_20150804</c>, SigV4
/// service <c>firehose</c>, endpoint firehose.REGION.amazonaws.com unless <c>endpoint</c> says otherwise.
/// </summary>
public sealed class FirehoseApiClient : IFirehoseApi, IDisposable
{
    public const string TargetPrefix = "Firehose_20150804";
    public const string SigningService = "firehose";

    private readonly AwsJsonClient _client;

    public FirehoseApiClient(AwsClientOptions options, AWSCredentials credentials, TimeProvider? clock = null)
    {
        _client = new AwsJsonClient(options, credentials, endpointPrefix: "firehose", SigningService, TargetPrefix, clock);
    }

    public Uri Endpoint => _client.Endpoint;

    public async Task<PutRecordBatchResult> PutRecordBatchAsync(string deliveryStreamName, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken)
    {
        using var request = FirehoseRequestWriter.PutRecordBatch(deliveryStreamName, records);
        return await _client.SendAsync("PutRecordBatch", request.WrittenMemory, body => FirehoseResponseReader.PutRecordBatch(body, records.Count), cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _client.Dispose();
}
