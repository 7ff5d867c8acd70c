namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// The Kinesis Data Streams operations the outputs use (API version 2013-12-02). Each call is one signed HTTP
/// request except <see cref="ListShardsAsync"/>, which follows NextToken to the last page. A whole-request failure
/// throws <see cref="AwsApiException"/>; per-record failures of a put are data in the result.
/// </summary>
public interface IKinesisApi
{
    /// <summary>PutRecords: up to 500 records, 5 MiB in all (the service's limits; the caller batches).</summary>
    Task<PutRecordsResult> PutRecordsAsync(string streamName, IReadOnlyList<PutRecordsEntry> records, CancellationToken cancellationToken);

    /// <summary>ListShards, every page: all shards the stream has within its retention, closed ones included.</summary>
    Task<IReadOnlyList<KinesisShard>> ListShardsAsync(string streamName, CancellationToken cancellationToken);

    /// <summary>DescribeStreamSummary: status, mode and open shard count without listing shards.</summary>
    Task<StreamSummary> DescribeStreamSummaryAsync(string streamName, CancellationToken cancellationToken);
}
