using LogAgent.Plugins.Kinesis.Aws;
using LogAgent.Plugins.Kinesis.Batching;

namespace LogAgent.Plugins.Kinesis.Pacing;

/// <summary>
/// The paced counterpart of <see cref="RecordBatcher"/> + <see cref="BatchSender"/>: puts a chunk's records in calls
/// shaped by <see cref="PacedBatcher"/> against the stream's <see cref="ShardBudget"/>, sleeping when no shard has
/// room. A record that fails inside a successful answer goes back among the records not yet sent (so its retry is
/// paced too and its shard's later records stay behind it), up to retries_on_batch_request times; a
/// ProvisionedThroughputExceeded drains its shard's budget for a second, other errors wait the batch backoff
/// (fluent-plugin-kinesis's). A whole-request failure gives the call's records their share back and is thrown, for
/// the output to decide with the buffer as in the unpaced path.
/// </summary>
public sealed class PacedSender(int retries, bool resetBackoffIfSuccess, TimeSpan backoffBase, KinesisOutputCounters counters)
{
    public async Task<BatchSender.Result> SendAsync(ShardPacer pacer, ShardPacer.StreamShards shards, IReadOnlyList<OutgoingRecord> records,
        BatchLimits limits, string metricScope, PutBatch put, Action<OutgoingRecord> delivered, CancellationToken cancellationToken)
    {
        var map = shards.Map;
        var batcher = new PacedBatcher(records.Select(r => (r, map is null || r.PartitionKey is null ? null : map.ShardFor(r.PartitionKey))), limits);
        if (map is not null && records.Any(r => r.PartitionKey is not null && batcher.ShardOf(r) is null))
            pacer.Observe(shards, null); // a key no open shard covers: the map is out of date
        var attempts = new Dictionary<OutgoingRecord, int>(ReferenceEqualityComparer.Instance);
        var stillFailed = new List<OutgoingRecord>();
        var backoff = new Backoff(backoffBase);
        int deliveredCount = 0;
        while (!batcher.IsEmpty)
        {
            List<OutgoingRecord> batch;
            TimeSpan wait;
            ShardBudget.Put use;
            lock (pacer.Lock)
            {
                use = shards.Budget.BeginPut();
                batch = batcher.Take(shards.Budget, use, out wait);
            }
            if (batch.Count == 0)
            {
                counters.PacingWait(wait);
                await Task.Delay(wait, pacer.Clock, cancellationToken).ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<RecordOutcome> outcomes;
            try
            {
                outcomes = await counters.TimePutAsync(batch, () => put(batch, cancellationToken)).ConfigureAwait(false);
                if (outcomes.Count != batch.Count)
                    throw new AwsApiException("put", AwsFailureKind.MalformedResponse, null, 200,
                        $"{outcomes.Count} outcomes for {batch.Count} records", isRetryable: true);
            }
            catch
            {
                lock (pacer.Lock)
                {
                    foreach (var r in batch)
                        if (batcher.ShardOf(r) is { } shard) shards.Budget.GiveBack(use, shard, r.Size);
                    shards.Budget.Settle(use);
                }
                throw;
            }

            bool otherFailures = false;
            int failedCount = 0;
            lock (pacer.Lock)
            {
                shards.Budget.Settle(use);
                for (int i = 0; i < batch.Count; i++)
                {
                    var record = batch[i];
                    var shard = batcher.ShardOf(record);
                    var outcome = outcomes[i];
                    if (outcome.ErrorCode is null)
                    {
                        deliveredCount++;
                        counters.RecordDelivered(record);
                        counters.ShardDelivered(metricScope + (outcome.ShardId ?? shard ?? "unknown"), record);
                        delivered(record);
                        if (outcome.ShardId is not null && (shard is null || outcome.ShardId != shard)) pacer.Observe(shards, outcome.ShardId);
                        continue;
                    }
                    failedCount++;
                    record.LastErrorCode = outcome.ErrorCode;
                    record.LastErrorMessage = outcome.ErrorMessage;
                    counters.RecordFailed(outcome.ErrorCode);
                    if (AwsErrorCodes.IsRecordThrottling(outcome.ErrorCode))
                    {
                        counters.ShardThrottled(metricScope + (shard ?? "unknown"));
                        if (shard is not null) shards.Budget.Drain(shard);
                    }
                    else otherFailures = true;
                    int n = attempts.GetValueOrDefault(record) + 1;
                    attempts[record] = n;
                    if (n > retries) stillFailed.Add(record);
                    else
                    {
                        counters.RecordRetries(1);
                        batcher.Return(record);
                    }
                }
            }
            if (resetBackoffIfSuccess && failedCount < batch.Count) backoff.Reset();
            // Throttled records wait for their shard's window (drained above); other failures (InternalFailure) wait
            // the backoff, as the unpaced path does.
            if (otherFailures && !batcher.IsEmpty) await Task.Delay(backoff.Next(), pacer.Clock, cancellationToken).ConfigureAwait(false);
        }
        return new BatchSender.Result(deliveredCount, stillFailed);
    }
}
