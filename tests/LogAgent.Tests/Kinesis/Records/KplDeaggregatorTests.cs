using System.Security.Cryptography;
using System.Text;
using LogAgent.Plugins.Kinesis.Records;

namespace LogAgent.Tests.Kinesis.Records;

/// <summary>
/// The consumer's KPL de-aggregation (KCL AggregatorUtil's rules): aggregates built byte by byte from the format
/// description (amazon-kinesis-producer aggregation-format.md, kinesis_aggregation.proto), and everything that is not
/// a whole, valid aggregate read as one plain record.
/// </summary>
public class KplDeaggregatorTests
{
    private static readonly byte[] Magic = [0xF3, 0x89, 0x9A, 0xC2];

    [Fact]
    public void Reads_each_user_record_with_its_own_keys_in_order()
    {
        // AggregatedRecord: partition_key_table ["pk-a", "pk-b"], explicit_hash_key_table ["340282366920938463463374607431768211455"],
        // an unknown field 7 (varint) a newer producer might add, and three records — the second with an explicit
        // hash key and a tag, the third with a 200-byte data whose length needs a two-byte varint.
        var big = Enumerable.Repeat((byte)'z', 200).ToArray();
        var body = Concat(
            Bytes(1, "pk-a"u8.ToArray()), Bytes(1, "pk-b"u8.ToArray()),
            Bytes(2, "340282366920938463463374607431768211455"u8.ToArray()),
            [(7 << 3) | 0, 0x96, 0x01],
            Bytes(3, Concat(Varint(1, 0), Bytes(3, "{\"n\":1}"u8.ToArray()))),
            Bytes(3, Concat(Varint(1, 1), Varint(2, 0), Bytes(3, "{\"n\":2}"u8.ToArray()), Bytes(4, Bytes(1, "t"u8.ToArray())))),
            Bytes(3, Concat(Bytes(3, big), Varint(1, 0))));

        var records = KplDeaggregator.TryDeaggregate(Aggregate(body));

        Assert.NotNull(records);
        Assert.Equal(3, records.Count);
        Assert.Equal(("pk-a", (string?)null, "{\"n\":1}", 0L), View(records[0]));
        Assert.Equal(("pk-b", "340282366920938463463374607431768211455", "{\"n\":2}", 1L), View(records[1]));
        Assert.Equal(("pk-a", (string?)null, new string('z', 200), 2L), View(records[2]));
    }

    [Fact]
    public void Reads_what_the_aggregated_output_writes()
    {
        var data = Enumerable.Range(0, 300).Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes($"{{\"i\":{i}}}")).ToList();
        var records = KplDeaggregator.TryDeaggregate(KplAggregator.Aggregate(data, "key-7"));
        Assert.NotNull(records);
        Assert.Equal(data.Select(d => Encoding.UTF8.GetString(d.Span)), records.Select(r => Encoding.UTF8.GetString(r.Data.Span)));
        Assert.All(records, r => Assert.Equal("key-7", r.PartitionKey));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), records.Select(r => r.SubSequenceNumber));
    }

    public static TheoryData<string, byte[]> PlainRecords()
    {
        var good = Concat(Bytes(1, "k"u8.ToArray()), Bytes(3, Concat(Varint(1, 0), Bytes(3, "x"u8.ToArray()))));
        var withMd5 = Aggregate(good);
        var wrongMd5 = (byte[])withMd5.Clone();
        wrongMd5[^1] ^= 0xFF;
        return new()
        {
            { "JSON", "{\"log\":\"GET /\"}"u8.ToArray() },
            { "magic only", Magic },
            { "magic and an MD5 of nothing", Aggregate([]) },
            { "a wrong MD5", wrongMd5 },
            { "the magic one byte off", [0x00, .. withMd5] },
            { "a truncated varint", Aggregate([(3 << 3) | 2, 0x80]) },
            { "a field longer than the message", Aggregate([(1 << 3) | 2, 0x05, (byte)'k']) },
            { "a group wire type", Aggregate([(1 << 3) | 3]) },
            { "field number 0", Aggregate([0x02, 0x00]) },
            { "a key index outside the table", Aggregate(Concat(Bytes(1, "k"u8.ToArray()), Bytes(3, Concat(Varint(1, 1), Bytes(3, "x"u8.ToArray()))))) },
            { "an explicit hash key index without a table", Aggregate(Concat(Bytes(1, "k"u8.ToArray()), Bytes(3, Concat(Varint(1, 0), Varint(2, 0), Bytes(3, "x"u8.ToArray()))))) },
            { "a record without data", Aggregate(Concat(Bytes(1, "k"u8.ToArray()), Bytes(3, Varint(1, 0)))) },
            { "a record without a key index", Aggregate(Concat(Bytes(1, "k"u8.ToArray()), Bytes(3, Bytes(3, "x"u8.ToArray())))) },
            { "a key that is not UTF-8", Aggregate(Concat(Bytes(1, [0xFF, 0xFE]), Bytes(3, Concat(Varint(1, 0), Bytes(3, "x"u8.ToArray()))))) },
        };
    }

    [Theory]
    [MemberData(nameof(PlainRecords))]
    public void Anything_but_a_whole_valid_aggregate_is_one_plain_record(string what, byte[] data)
    {
        Assert.True(KplDeaggregator.TryDeaggregate(data) is null, what);
    }

    [Fact]
    public void The_valid_twin_of_the_plain_cases_is_an_aggregate()
    {
        // So the plain cases above fail for the reason each names, not for a mistake in how they are built.
        var records = KplDeaggregator.TryDeaggregate(Aggregate(Concat(Bytes(1, "k"u8.ToArray()), Bytes(3, Concat(Varint(1, 0), Bytes(3, "x"u8.ToArray()))))));
        Assert.NotNull(records);
        Assert.Equal(("k", (string?)null, "x", 0L), View(Assert.Single(records)));
    }

    private static (string, string?, string, long) View(KplUserRecord r) =>
        (r.PartitionKey, r.ExplicitHashKey, Encoding.UTF8.GetString(r.Data.Span), r.SubSequenceNumber);

    private static byte[] Aggregate(byte[] body) => Concat(Magic, body, MD5.HashData(body));

    // Protobuf by hand: a length-delimited field, a varint field, a varint.
    private static byte[] Bytes(int field, byte[] value) => Concat([(byte)((field << 3) | 2)], VarintBytes((ulong)value.Length), value);
    private static byte[] Varint(int field, ulong value) => Concat([(byte)(field << 3)], VarintBytes(value));

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7) bytes.Add((byte)(value | 0x80));
        bytes.Add((byte)value);
        return bytes.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
