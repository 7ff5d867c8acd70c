using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Reads the per-record part of a put's answer — PutRecords' <c>Records</c>, PutRecordBatch's
/// <c>RequestResponses</c> — as a stream of tokens. Only what the outputs use becomes a string: the error code and
/// message of a failed record and the shard of a Kinesis record (one string per shard, shared by its records). The
/// sequence numbers and Firehose RecordIds (a string of ~200 characters per record) are skipped: read into a
/// document they were most of what a put allocated.
/// </summary>
internal static class PutOutcomesReader
{
    public readonly record struct Outcome(string? ShardId, string? ErrorCode, string? ErrorMessage);

    /// <summary>Reads the array at the reader's current property value: one object per record sent, in order.</summary>
    public static List<Outcome> ReadArray(ref Utf8JsonReader reader, string arrayName, int requestCount)
    {
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException($"{arrayName} is not an array");
        var outcomes = new List<Outcome>(requestCount);
        Dictionary<string, string>? shards = null;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException($"an entry of {arrayName} is not an object");
            string? shardId = null, errorCode = null, errorMessage = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("ErrorCode"u8)) errorCode = OptionalString(ref reader);
                else if (reader.ValueTextEquals("ErrorMessage"u8)) errorMessage = OptionalString(ref reader);
                else if (reader.ValueTextEquals("ShardId"u8)) shardId = SharedString(ref reader, shards ??= new(StringComparer.Ordinal));
                else
                {
                    Next(ref reader);
                    reader.Skip();
                }
            }
            outcomes.Add(new Outcome(shardId, errorCode, errorMessage));
        }
        if (outcomes.Count != requestCount)
            throw new JsonException($"{outcomes.Count} entries in {arrayName} for {requestCount} records sent");
        return outcomes;
    }

    /// <summary>Moves to the next token; the end of the body before the end of the document is malformed.</summary>
    public static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new JsonException("the response ends before its JSON does");
        return reader.TokenType;
    }

    /// <summary>A string member's value; AWS omits a member or sends null alike.</summary>
    public static string? OptionalString(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        reader.Skip();
        return null;
    }

    /// <summary>A string value, the same instance for every record of the answer that has it.</summary>
    private static string? SharedString(ref Utf8JsonReader reader, Dictionary<string, string> seen)
    {
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }
        Span<char> chars = stackalloc char[128];
        if ((reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length) > chars.Length) return reader.GetString();
        int length = reader.CopyString(chars);
        var lookup = seen.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars[..length], out var known)) return known;
        var value = new string(chars[..length]);
        seen[value] = value;
        return value;
    }
}
