namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// The Kinesis Data Streams operations the outputs and the consumer input use (API version 2013-12-02). Each call is one signed HTTP
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

    /// <summary>DescribeStreamSummary of a stream named by name or ARN (the consumer input reads the retention period).</summary>
    Task<StreamSummary> DescribeStreamSummaryAsync(KinesisStreamRef stream, CancellationToken cancellationToken);

    /// <summary>ListShards of a stream named by name or ARN (the consumer input).</summary>
    Task<IReadOnlyList<KinesisShard>> ListShardsAsync(KinesisStreamRef stream, CancellationToken cancellationToken);

    /// <summary>GetShardIterator: an iterator (valid 5 minutes) at <paramref name="start"/> in the shard.</summary>
    Task<string> GetShardIteratorAsync(KinesisStreamRef stream, string shardId, ShardIteratorStart start, CancellationToken cancellationToken);

    /// <summary>GetRecords: up to <paramref name="limit"/> records (≤ 10,000, ≤ 10 MiB) from the iterator's position.</summary>
    Task<GetRecordsResult> GetRecordsAsync(KinesisStreamRef stream, string shardIterator, int limit, CancellationToken cancellationToken);
}
