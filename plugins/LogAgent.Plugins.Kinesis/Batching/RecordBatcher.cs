namespace LogAgent.Plugins.Kinesis.Batching;

/// <summary>The most one put call may carry: records and bytes (data + partition keys).</summary>
public readonly record struct BatchLimits(int MaxCount, long MaxBytes);

/// <summary>
/// Splits records into put calls within <see cref="BatchLimits"/>, in order, as fluent-plugin-kinesis's
/// split_to_batches (kinesis_helper/api.rb): a record that would take the batch past either limit starts the next.
/// Records must already fit the record size limit; a record larger than MaxBytes (possible only when max_record_size
/// is raised above the request limit for large-record streams) goes alone.
/// Per-shard pacing (issue 6, item 5) belongs here: a budget that admits a record or defers it to a later batch by
/// its shard — the split is the one place that sees every record before it is sent.
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
