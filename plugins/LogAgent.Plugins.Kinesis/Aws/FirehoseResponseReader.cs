using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>Parses Firehose's PutRecordBatch response body (API reference, response syntax).</summary>
public static class FirehoseResponseReader
{
    /// <param name="requestCount">Records sent: the response must have one outcome for each.</param>
    public static PutRecordBatchResult PutRecordBatch(ReadOnlyMemory<byte> body, int requestCount)
    {
        var reader = new Utf8JsonReader(body.Span);
        if (PutOutcomesReader.Next(ref reader) != JsonTokenType.StartObject) throw new JsonException("the response is not a JSON object");
        int? failed = null;
        bool? encrypted = null;
        List<PutOutcomesReader.Outcome>? outcomes = null;
        while (PutOutcomesReader.Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("RequestResponses"u8)) outcomes = PutOutcomesReader.ReadArray(ref reader, "RequestResponses", requestCount);
            else
            {
                bool isCount = reader.ValueTextEquals("FailedPutCount"u8), isEncrypted = reader.ValueTextEquals("Encrypted"u8);
                PutOutcomesReader.Next(ref reader);
                if (isCount && reader.TokenType == JsonTokenType.Number) failed = reader.GetInt32();
                else if (isEncrypted && reader.TokenType is JsonTokenType.True or JsonTokenType.False) encrypted = reader.GetBoolean();
                else reader.Skip();
            }
        }
        if (outcomes is null) throw new JsonException("the response has no RequestResponses");
        var responses = outcomes.ConvertAll(o => new PutRecordBatchOutcome(o.ErrorCode, o.ErrorMessage));
        return new PutRecordBatchResult(failed ?? responses.Count(o => !o.Succeeded), encrypted, responses);
    }
}
