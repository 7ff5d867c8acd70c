using CommunityToolkit.HighPerformance.Buffers;
using System.Text.Json;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>The JSON body of Firehose's PutRecordBatch (API reference, request syntax); data base64-encoded.</summary>
public static class FirehoseRequestWriter
{
    public static ArrayPoolBufferWriter<byte> PutRecordBatch(string deliveryStreamName, IReadOnlyList<ReadOnlyMemory<byte>> records) =>
        AwsJsonBody.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("DeliveryStreamName", deliveryStreamName);
            json.WriteStartArray("Records");
            foreach (var record in records)
            {
                json.WriteStartObject();
                json.WriteBase64String("Data", record.Span);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }, records.Sum(r => r.Length * 4 / 3 + 16) + 64);
}
