using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>Parses Firehose's PutRecordBatch response body (API reference, response syntax).</summary>
public static class FirehoseResponseReader
{
    /// <param name="requestCount">Records sent: the response must have one outcome for each.</param>
    public static PutRecordBatchResult PutRecordBatch(ReadOnlyMemory<byte> body, int requestCount)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var responses = root.GetProperty("RequestResponses");
        if (responses.GetArrayLength() != requestCount)
            throw new JsonException($"PutRecordBatch answered {responses.GetArrayLength()} responses for {requestCount} records sent");
        var outcomes = new List<PutRecordBatchOutcome>(requestCount);
        foreach (var response in responses.EnumerateArray())
            outcomes.Add(new PutRecordBatchOutcome(
                AwsJson.String(response, "RecordId"), AwsJson.String(response, "ErrorCode"), AwsJson.String(response, "ErrorMessage")));
        int failed = root.TryGetProperty("FailedPutCount", out var count) && count.ValueKind == JsonValueKind.Number
            ? count.GetInt32()
            : outcomes.Count(o => !o.Succeeded);
        bool? encrypted = root.TryGetProperty("Encrypted", out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : null;
        return new PutRecordBatchResult(failed, encrypted, outcomes);
    }
}
