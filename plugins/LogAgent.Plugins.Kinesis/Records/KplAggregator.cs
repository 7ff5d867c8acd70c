using System.Security.Cryptography;
using System.Text;

namespace LogAgent.Plugins.Kinesis.Records;

/// <summary>
/// The Kinesis Producer Library's aggregated record format, which the KCL and the Kinesis aggregation libraries
/// deaggregate (awslabs/amazon-kinesis-producer, aggregation-format.md):
/// <c>F3 89 9A C2</c> ‖ AggregatedRecord (protobuf) ‖ MD5(AggregatedRecord).
/// <code>
/// message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2; repeated Record records = 3; }
/// message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2; required bytes data = 3; repeated Tag tags = 4; }
/// </code>
/// Written by hand: the plugin uses four field kinds (varint, length-delimited string/bytes/message), which is less
/// code than a protobuf dependency beside the plugin. As fluent-plugin-kinesis's aggregator.rb does, the partition key
/// table is <c>["a", key]</c> and every record points at index 1 (the KCL uses the outer record's key for routing).
/// </summary>
public static class KplAggregator
{
    public static ReadOnlySpan<byte> Magic => [0xF3, 0x89, 0x9A, 0xC2];

    /// <summary>Protobuf field keys: (field number &lt;&lt; 3) | wire type (0 varint, 2 length-delimited).</summary>
    private const byte PartitionKeyTableKey = (1 << 3) | 2, RecordsKey = (3 << 3) | 2;
    private const byte RecordPartitionKeyIndexKey = (1 << 3) | 0, RecordDataKey = (3 << 3) | 2;

    /// <summary>Bytes an aggregated record adds to its records' data: magic, MD5, the key table, and per record
    /// at most 1 (key) + 10 (length varint) + 2 (index) + 1 (key) + 5 (data length varint) bytes.</summary>
    public static int Overhead(string partitionKey) => 4 + 16 + 2 + 1 + 10 + Encoding.UTF8.GetByteCount(partitionKey);
    public const int PerRecordOverhead = 1 + 5 + 2 + 1 + 5;

    public static byte[] Aggregate(IReadOnlyList<ReadOnlyMemory<byte>> records, string partitionKey)
    {
        using var message = new MemoryStream();
        WriteBytes(message, PartitionKeyTableKey, "a"u8);
        WriteBytes(message, PartitionKeyTableKey, Encoding.UTF8.GetBytes(partitionKey));
        var record = new MemoryStream();
        foreach (var data in records)
        {
            record.SetLength(0);
            record.WriteByte(RecordPartitionKeyIndexKey);
            WriteVarint(record, 1);
            WriteBytes(record, RecordDataKey, data.Span);
            WriteBytes(message, RecordsKey, record.GetBuffer().AsSpan(0, (int)record.Length));
        }
        var body = message.GetBuffer().AsSpan(0, (int)message.Length);
        var result = new byte[4 + body.Length + 16];
        Magic.CopyTo(result);
        body.CopyTo(result.AsSpan(4));
        MD5.HashData(body, result.AsSpan(4 + body.Length));
        return result;
    }

    private static void WriteBytes(Stream output, byte key, ReadOnlySpan<byte> value)
    {
        output.WriteByte(key);
        WriteVarint(output, (ulong)value.Length);
        output.Write(value);
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        while (value >= 0x80)
        {
            output.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        output.WriteByte((byte)value);
    }
}
