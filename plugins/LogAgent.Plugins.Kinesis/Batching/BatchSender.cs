using LogAgent.Plugins.Kinesis.Aws;

namespace LogAgent.Plugins.Kinesis.Batching;

/// <summary>Sends one batch of records and reports, per record and in order, what the service said.</summary>
public delegate Task<IReadOnlyList<RecordOutcome>> PutBatch(IReadOnlyList<OutgoingRecord> records, CancellationToken cancellationToken);

/// <summary>
/// fluent-plugin-kinesis's batch_request_with_retry (kinesis_helper/api.rb): put a batch; when records failed
/// inside a successful response (ProvisionedThroughputExceededException, InternalFailure,
/// ServiceUnavailableException …), wait (<see cref="Backoff"/>, reset when the call delivered something and
/// reset_backoff_if_success) and put only those again, up to retries_on_batch_request times. Records that were
/// accepted are never sent again. What still failed is returned: the output puts it back in the buffer (or drops it
/// when drop_failed_records_after_batch_request_retries). A whole-request failure is not retried here: it is thrown,
/// and the output decides with the buffer (its retry waits much longer than this loop should block a flush thread).
/// </summary>
public sealed class BatchSender(int retries, bool resetBackoffIfSuccess, TimeSpan backoffBase, KinesisOutputCounters counters)
{
    public sealed record Result(int Delivered, IReadOnlyList<OutgoingRecord> StillFailed);

    /// <summary>Sends <paramref name="batch"/>. <paramref name="delivered"/> is called with each record accepted, as soon as
    /// it is (so a whole-request failure on a retry still knows what was delivered before it).</summary>
    public async Task<Result> SendAsync(IReadOnlyList<OutgoingRecord> batch, PutBatch put, Action<OutgoingRecord> delivered, CancellationToken cancellationToken)
    {
        var backoff = new Backoff(backoffBase);
        IReadOnlyList<OutgoingRecord> pending = batch;
        int deliveredCount = 0;
        for (int attempt = 0; ; attempt++)
        {
            var outcomes = await counters.TimePutAsync(pending, () => put(pending, cancellationToken)).ConfigureAwait(false);
            if (outcomes.Count != pending.Count)
                throw new AwsApiException("put", AwsFailureKind.MalformedResponse, null, 200,
                    $"{outcomes.Count} outcomes for {pending.Count} records", isRetryable: true);
            var failed = new List<OutgoingRecord>();
            for (int i = 0; i < pending.Count; i++)
            {
                var record = pending[i];
                if (outcomes[i].ErrorCode is null)
                {
                    deliveredCount++;
                    counters.RecordDelivered(record);
                    delivered(record);
                }
                else
                {
                    record.LastErrorCode = outcomes[i].ErrorCode;
                    record.LastErrorMessage = outcomes[i].ErrorMessage;
                    counters.RecordFailed(outcomes[i].ErrorCode!);
                    failed.Add(record);
                }
            }
            if (failed.Count == 0) return new Result(deliveredCount, failed);
            if (attempt >= retries) return new Result(deliveredCount, failed);
            if (resetBackoffIfSuccess && failed.Count < pending.Count) backoff.Reset();
            counters.RecordRetries(failed.Count);
            await Task.Delay(backoff.Next(), cancellationToken).ConfigureAwait(false);
            pending = failed;
        }
    }
}
