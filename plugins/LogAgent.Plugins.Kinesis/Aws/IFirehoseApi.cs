namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// The Kinesis Data Firehose operation the output uses (API version 2015-08-04). A whole-request failure throws
/// <see cref="AwsApiException"/>; per-record failures are data in the result.
/// </summary>
public interface IFirehoseApi
{
    /// <summary>PutRecordBatch: up to 500 records, 4 MiB in all, 1,000 KiB each (the service's limits; the caller batches).</summary>
    Task<PutRecordBatchResult> PutRecordBatchAsync(string deliveryStreamName, IReadOnlyList<ReadOnlyMemory<byte>> records, CancellationToken cancellationToken);
}
