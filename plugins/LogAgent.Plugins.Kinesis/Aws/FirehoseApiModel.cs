namespace LogAgent.Plugins.Kinesis.Aws;

// Shapes of the Kinesis Data Firehose JSON API (API reference, PutRecordBatch:
// https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html).

/// <summary>
/// A PutRecordBatch response: one outcome per request record, in request order. The service answers 200 even when
/// records failed; <see cref="FailedPutCount"/> says how many did.
/// </summary>
public sealed record PutRecordBatchResult(int FailedPutCount, bool? Encrypted, IReadOnlyList<PutRecordBatchOutcome> RequestResponses);

/// <summary>What happened to one record: accepted, or an error code (ServiceUnavailableException...) and message. The
/// RecordId is not kept: nothing here uses it, and it would be a string of ~200 characters per record.</summary>
public readonly record struct PutRecordBatchOutcome(string? ErrorCode, string? ErrorMessage)
{
    public bool Succeeded => ErrorCode is null;
}
