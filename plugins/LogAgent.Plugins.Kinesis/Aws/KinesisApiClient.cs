using Amazon.Runtime;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// <see cref="IKinesisApi"/> over the Kinesis Data Streams JSON API: target prefix <c>Kinesis_20131202</c>, SigV4
/// service <c>kinesis</c>, endpoint kinesis.REGION.amazonaws.com unless <c>endpoint</c> says otherwise.
/// </summary>
public sealed class KinesisApiClient : IKinesisApi, IDisposable
{
    public const string TargetPrefix = "Kinesis_20131202";
    public const string SigningService = "kinesis";

    private readonly AwsJsonClient _client;

    public KinesisApiClient(AwsClientOptions options, AWSCredentials credentials, TimeProvider? clock = null)
    {
        _client = new AwsJsonClient(options, credentials, endpointPrefix: "kinesis", SigningService, TargetPrefix, clock);
    }

    public Uri Endpoint => _client.Endpoint;

    public async Task<PutRecordsResult> PutRecordsAsync(string streamName, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken)
    {
        var response = await _client.SendAsync("PutRecords", KinesisRequestWriter.PutRecords(streamName, records), cancellationToken).ConfigureAwait(false);
        return AwsJsonClient.Parse("PutRecords", response, body => KinesisResponseReader.PutRecords(body, records.Count));
    }

    public async Task<IReadOnlyList<KinesisShard>> ListShardsAsync(string streamName, CancellationToken cancellationToken)
    {
        var shards = new List<KinesisShard>();
        string? nextToken = null;
        do
        {
            var response = await _client.SendAsync("ListShards", KinesisRequestWriter.ListShards(streamName, nextToken), cancellationToken).ConfigureAwait(false);
            var page = AwsJsonClient.Parse("ListShards", response, KinesisResponseReader.ListShards);
            shards.AddRange(page.Shards);
            nextToken = page.NextToken;
        }
        while (nextToken is not null);
        return shards;
    }

    public async Task<StreamSummary> DescribeStreamSummaryAsync(string streamName, CancellationToken cancellationToken)
    {
        var response = await _client.SendAsync("DescribeStreamSummary", KinesisRequestWriter.DescribeStreamSummary(streamName), cancellationToken).ConfigureAwait(false);
        return AwsJsonClient.Parse("DescribeStreamSummary", response, KinesisResponseReader.DescribeStreamSummary);
    }

    public void Dispose() => _client.Dispose();
}
