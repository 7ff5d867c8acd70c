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

    /// <summary>The first page names the stream; later pages send only the NextToken — the service rejects a
    /// request with both (InvalidArgumentException).</summary>
    public static ArrayPoolBufferWriter<byte> ListShards(string streamName, string? nextToken) =>
        AwsJsonBody.Write(json =>
        {
            json.WriteStartObject();
            if (nextToken is null) json.WriteString("StreamName", streamName);
            else json.WriteString("NextToken", nextToken);
            json.WriteEndObject();
        });

    public static ArrayPoolBufferWriter<byte> DescribeStreamSummary(string streamName) =>
        AwsJsonBody.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("StreamName", streamName);
            json.WriteEndObject();
        });
}
