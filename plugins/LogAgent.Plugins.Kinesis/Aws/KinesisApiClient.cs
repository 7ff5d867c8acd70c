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
        using var request = KinesisRequestWriter.PutRecords(streamName, records);
        return await _client.SendAsync("PutRecords", request.WrittenMemory, body => KinesisResponseReader.PutRecords(body, records.Count), cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<KinesisShard>> ListShardsAsync(string streamName, CancellationToken cancellationToken) =>
        ListShardsAsync(new KinesisStreamRef(streamName, null), cancellationToken);

    public async Task<IReadOnlyList<KinesisShard>> ListShardsAsync(KinesisStreamRef stream, CancellationToken cancellationToken)
    {
        var shards = new List<KinesisShard>();
        string? nextToken = null;
        do
        {
            using var request = KinesisRequestWriter.ListShards(stream, nextToken);
            var page = await _client.SendAsync("ListShards", request.WrittenMemory, KinesisResponseReader.ListShards, cancellationToken).ConfigureAwait(false);
            shards.AddRange(page.Shards);
            nextToken = page.NextToken;
        }
        while (nextToken is not null);
        return shards;
    }

    public Task<StreamSummary> DescribeStreamSummaryAsync(string streamName, CancellationToken cancellationToken) =>
        DescribeStreamSummaryAsync(new KinesisStreamRef(streamName, null), cancellationToken);

    public async Task<StreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef stream, CancellationToken cancellationToken)
    {
        using var request = KinesisRequestWriter.DescribeStreamSummary(stream);
        return await _client.SendAsync("DescribeStreamSummary", request.WrittenMemory, KinesisResponseReader.DescribeStreamSummary, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> GetShardIteratorAsync(KinesisStreamRef stream, string shardId, ShardIteratorStart start, CancellationToken cancellationToken)
    {
        using var request = KinesisRequestWriter.GetShardIterator(stream, shardId, start);
        return await _client.SendAsync("GetShardIterator", request.WrittenMemory, KinesisResponseReader.GetShardIterator, cancellationToken).ConfigureAwait(false);
    }

    public async Task<GetRecordsResult> GetRecordsAsync(KinesisStreamRef stream, string shardIterator, int limit, CancellationToken cancellationToken)
    {
        using var request = KinesisRequestWriter.GetRecords(shardIterator, limit, stream.Arn);
        return await _client.SendAsync("GetRecords", request.WrittenMemory, KinesisResponseReader.GetRecords, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _client.Dispose();
}
