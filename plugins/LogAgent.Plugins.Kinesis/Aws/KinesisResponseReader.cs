using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Parses the JSON bodies of successful Kinesis Data Streams responses (API reference, response syntax). A body
/// that does not have the documented shape throws <see cref="JsonException"/>; the client reports it as a
/// malformed response.
/// </summary>
public static class KinesisResponseReader
{
    /// <param name="requestCount">Records sent: the response must have one outcome for each, or which records failed
    /// would be guessed.</param>
    public static PutRecordsResult PutRecords(ReadOnlyMemory<byte> body, int requestCount)
    {
        var reader = new Utf8JsonReader(body.Span);
        if (PutOutcomesReader.Next(ref reader) != JsonTokenType.StartObject) throw new JsonException("the response is not a JSON object");
        int? failed = null;
        string? encryption = null;
        List<PutOutcomesReader.Outcome>? outcomes = null;
        while (PutOutcomesReader.Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("Records"u8)) outcomes = PutOutcomesReader.ReadArray(ref reader, "Records", requestCount);
            else if (reader.ValueTextEquals("EncryptionType"u8)) encryption = PutOutcomesReader.OptionalString(ref reader);
            else
            {
                bool isCount = reader.ValueTextEquals("FailedRecordCount"u8);
                PutOutcomesReader.Next(ref reader);
                if (isCount && reader.TokenType == JsonTokenType.Number) failed = reader.GetInt32();
                else reader.Skip();
            }
        }
        if (outcomes is null) throw new JsonException("the response has no Records");
        var records = outcomes.ConvertAll(o => new PutRecordsOutcome(o.ShardId, o.ErrorCode, o.ErrorMessage));
        return new PutRecordsResult(failed ?? records.Count(o => !o.Succeeded), records, encryption);
    }

    /// <summary>One ListShards page: its shards and the token of the next page (null on the last).</summary>
    public static (IReadOnlyList<KinesisShard> Shards, string? NextToken) ListShards(ReadOnlyMemory<byte> body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var shards = new List<KinesisShard>();
        if (root.TryGetProperty("Shards", out var array))
            foreach (var shard in array.EnumerateArray())
            {
                var range = shard.GetProperty("HashKeyRange");
                shard.TryGetProperty("SequenceNumberRange", out var sequence);
                shards.Add(new KinesisShard(
                    shard.GetProperty("ShardId").GetString()!,
                    HashKey(range, "StartingHashKey"), HashKey(range, "EndingHashKey"),
                    AwsJson.String(shard, "ParentShardId"), AwsJson.String(shard, "AdjacentParentShardId"),
                    sequence.ValueKind == JsonValueKind.Object ? AwsJson.String(sequence, "StartingSequenceNumber") : null,
                    sequence.ValueKind == JsonValueKind.Object ? AwsJson.String(sequence, "EndingSequenceNumber") : null));
            }
        return (shards, AwsJson.String(root, "NextToken"));
    }

    public static StreamSummary DescribeStreamSummary(ReadOnlyMemory<byte> body)
    {
        using var json = JsonDocument.Parse(body);
        var summary = json.RootElement.GetProperty("StreamDescriptionSummary");
        return new StreamSummary(
            summary.GetProperty("StreamName").GetString()!,
            AwsJson.String(summary, "StreamARN"),
            summary.GetProperty("StreamStatus").GetString()!,
            summary.TryGetProperty("StreamModeDetails", out var mode) && mode.ValueKind == JsonValueKind.Object ? AwsJson.String(mode, "StreamMode") : null,
            summary.TryGetProperty("OpenShardCount", out var open) && open.ValueKind == JsonValueKind.Number ? open.GetInt32() : 0,
            AwsJson.String(summary, "EncryptionType"),
            summary.TryGetProperty("RetentionPeriodHours", out var hours) && hours.ValueKind == JsonValueKind.Number ? hours.GetInt32() : null);
    }

    public static string GetShardIterator(ReadOnlyMemory<byte> body)
    {
        using var json = JsonDocument.Parse(body);
        return AwsJson.String(json.RootElement, "ShardIterator") ?? throw new JsonException("the response has no ShardIterator");
    }

    /// <summary>A GetRecords answer: records (data base64-decoded), NextShardIterator, MillisBehindLatest, ChildShards.</summary>
    public static GetRecordsResult GetRecords(ReadOnlyMemory<byte> body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException("the response is not a JSON object");
        var records = new List<KinesisRecord>();
        if (root.TryGetProperty("Records", out var array))
        {
            records.Capacity = array.GetArrayLength();
            foreach (var r in array.EnumerateArray())
            {
                DateTimeOffset? arrival = r.TryGetProperty("ApproximateArrivalTimestamp", out var t) && t.ValueKind == JsonValueKind.Number
                    ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(t.GetDouble() * 1000))
                    : null;
                records.Add(new KinesisRecord(
                    r.GetProperty("SequenceNumber").GetString() ?? throw new JsonException("a record has no SequenceNumber"),
                    r.GetProperty("PartitionKey").GetString() ?? throw new JsonException("a record has no PartitionKey"),
                    r.GetProperty("Data").GetBytesFromBase64(),
                    arrival));
            }
        }
        long? behind = root.TryGetProperty("MillisBehindLatest", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt64() : null;
        var children = new List<ChildShard>();
        if (root.TryGetProperty("ChildShards", out var c) && c.ValueKind == JsonValueKind.Array)
            foreach (var child in c.EnumerateArray())
                children.Add(new ChildShard(child.GetProperty("ShardId").GetString()!,
                    child.TryGetProperty("ParentShards", out var parents) && parents.ValueKind == JsonValueKind.Array
                        ? parents.EnumerateArray().Select(p => p.GetString()!).ToList()
                        : []));
        return new GetRecordsResult(records, AwsJson.String(root, "NextShardIterator"), behind, children);
    }

    // Hash keys are decimal strings of up to 2^128 - 1, beyond every built-in integer type.
    private static BigInteger HashKey(JsonElement range, string name) =>
        BigInteger.Parse(range.GetProperty(name).GetString() ?? throw new JsonException($"{name} is null"), NumberStyles.None, CultureInfo.InvariantCulture);
}
