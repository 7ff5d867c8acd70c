using CommunityToolkit.HighPerformance.Buffers;
using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// The JSON bodies of the Kinesis Data Streams requests (API reference, request syntax of each action). Record data
/// is written base64-encoded straight from its bytes, with no intermediate string.
/// </summary>
public static class KinesisRequestWriter
{
    public static ArrayPoolBufferWriter<byte> PutRecords(string streamName, IReadOnlyList<PutRecordsEntry> records)
    {
        return AwsJsonBody.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("StreamName", streamName);
            json.WriteStartArray("Records");
            foreach (var record in records)
            {
                json.WriteStartObject();
                json.WriteBase64String("Data", record.Data.Span);
                json.WriteString("PartitionKey", record.PartitionKey);
                if (record.ExplicitHashKey is not null) json.WriteString("ExplicitHashKey", record.ExplicitHashKey);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }, records.Sum(r => r.Data.Length * 4 / 3 + r.PartitionKey.Length + 48) + 64);
    }

    public static ArrayPoolBufferWriter<byte> DescribeStreamSummary(KinesisStreamRef stream) =>
        AwsJsonBody.Write(json =>
        {
            json.WriteStartObject();
            WriteStream(json, stream);
            json.WriteEndObject();
        });

    /// <summary>The first page names the stream (by name or ARN); later pages send only the NextToken — the service
    /// rejects a request with both (InvalidArgumentException).</summary>
    public static ArrayPoolBufferWriter<byte> ListShards(KinesisStreamRef stream, string? nextToken) =>
        AwsJsonBody.Write(json =>
        {
            json.WriteStartObject();
            if (nextToken is not null) json.WriteString("NextToken", nextToken);
            else WriteStream(json, stream);
            json.WriteEndObject();
        });

    public static ArrayPoolBufferWriter<byte> GetShardIterator(KinesisStreamRef stream, string shardId, ShardIteratorStart start) =>
        AwsJsonBody.Write(json =>
        {
            json.WriteStartObject();
            WriteStream(json, stream);
            json.WriteString("ShardId", shardId);
            json.WriteString("ShardIteratorType", start.Type);
            if (start.SequenceNumber is not null) json.WriteString("StartingSequenceNumber", start.SequenceNumber);
            // Seconds since the epoch, with milliseconds: the JSON protocol's timestamp form (Kinesis keeps ms precision).
            if (start.Timestamp is { } at) json.WriteNumber("Timestamp", at.ToUnixTimeMilliseconds() / 1000.0);
            json.WriteEndObject();
        });

    /// <param name="streamArn">Sent as StreamARN when the stream was named by ARN (required then for cross-account reads).</param>
    public static ArrayPoolBufferWriter<byte> GetRecords(string shardIterator, int limit, string? streamArn) =>
        AwsJsonBody.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("ShardIterator", shardIterator);
            json.WriteNumber("Limit", limit);
            if (streamArn is not null) json.WriteString("StreamARN", streamArn);
            json.WriteEndObject();
        }, shardIterator.Length + 96);

    private static void WriteStream(Utf8JsonWriter json, KinesisStreamRef stream)
    {
        if (stream.Arn is not null) json.WriteString("StreamARN", stream.Arn);
        else json.WriteString("StreamName", stream.Name);
    }
}
