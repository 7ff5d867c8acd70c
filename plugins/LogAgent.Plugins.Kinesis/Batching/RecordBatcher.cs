namespace LogAgent.Plugins.Kinesis.Batching;

/// <summary>The most one put call may carry: records and bytes (data + partition keys).</summary>
public readonly record struct BatchLimits(int MaxCount, long MaxBytes);

/// <summary>
/// Splits records into put calls within <see cref="BatchLimits"/>, in order, as fluent-plugin-kinesis's
/// split_to_batches (kinesis_helper/api.rb): a record that would take the batch past either limit starts the next.
/// Records must already fit the record size limit; a record larger than MaxBytes (possible only when max_record_size
/// is raised above the request limit for large-record streams) goes alone.
/// This is the unpaced split (Firehose, and Streams with shard_pacing false or no shard map); the per-shard one is
/// <see cref="Pacing.PacedBatcher"/>.
/// </summary>
public static class RecordBatcher
{
    public static IEnumerable<List<OutgoingRecord>> Split(IEnumerable<OutgoingRecord> records, BatchLimits limits)
    {
        var batch = new List<OutgoingRecord>();
        long bytes = 0;
        foreach (var record in records)
        {
            if (batch.Count > 0 && (batch.Count + 1 > limits.MaxCount || bytes + record.Size > limits.MaxBytes))
            {
                yield return batch;
                batch = new List<OutgoingRecord>();
                bytes = 0;
            }
            batch.Add(record);
            bytes += record.Size;
        }
        if (batch.Count > 0) yield return batch;
    }
}
