using System.Security.Cryptography;
using System.Text;

namespace LogAgent.Plugins.Kinesis.Records;

/// <summary>One user record of a KPL aggregate: its own partition key (and explicit hash key), its data, and its
/// index in the aggregate, the sub-sequence number a consumer checkpoints with the outer sequence number.</summary>
public readonly record struct KplUserRecord(string PartitionKey, string? ExplicitHashKey, ReadOnlyMemory<byte> Data, long SubSequenceNumber);

/// <summary>
/// Reads the KPL aggregated record format that <see cref="KplAggregator"/> writes, by the KCL's rules
/// (AggregatorUtil.java): a record is an aggregate when it starts with the magic, has more than 16 bytes after it and
/// its last 16 bytes are the MD5 of the protobuf between; anything else, a protobuf that does not parse included, is a
/// plain record, never an error, so a producer's odd bytes reach the pipeline as they are. The user records' data are
/// slices of the record's bytes: nothing is copied.
/// </summary>
public static class KplDeaggregator
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The user records of <paramref name="record"/> when it is a KPL aggregate, in order; null when it is a plain
    /// record (then its data is the one event). An aggregate of no records gives an empty list.
    /// </summary>
    public static IReadOnlyList<KplUserRecord>? TryDeaggregate(ReadOnlyMemory<byte> record)
    {
        var span = record.Span;
        var magic = KplAggregator.Magic;
        if (span.Length <= magic.Length + 16 || !span.StartsWith(magic)) return null;
        var body = record.Slice(magic.Length, span.Length - magic.Length - 16);
        Span<byte> md5 = stackalloc byte[16];
        MD5.HashData(body.Span, md5);
        if (!md5.SequenceEqual(span[^16..])) return null;
        try
        {
            return Parse(body);
        }
        catch (FormatException)
        {
            return null; // the KCL treats an aggregate it cannot parse as a plain record
        }
    }

    private static List<KplUserRecord> Parse(ReadOnlyMemory<byte> body)
    {
        var keys = new List<string>();
        var hashKeys = new List<string>();
        var records = new List<(ulong Key, ulong? HashKey, ReadOnlyMemory<byte> Data)>();
        var reader = new ProtobufReader(body);
        while (!reader.End)
        {
            var (field, wireType) = reader.ReadTag();
            switch (field)
            {
                case 1 when wireType == ProtobufReader.LengthDelimited: keys.Add(reader.ReadString()); break;
                case 2 when wireType == ProtobufReader.LengthDelimited: hashKeys.Add(reader.ReadString()); break;
                case 3 when wireType == ProtobufReader.LengthDelimited: records.Add(ParseRecord(reader.ReadBytes())); break;
                default: reader.SkipField(wireType); break;
            }
        }
        var result = new List<KplUserRecord>(records.Count);
        foreach (var (key, hashKey, data) in records)
        {
            if (key >= (ulong)keys.Count) throw new FormatException($"partition_key_index {key} outside a table of {keys.Count}");
            string? explicitHashKey = null;
            if (hashKey is { } h)
            {
                if (h >= (ulong)hashKeys.Count) throw new FormatException($"explicit_hash_key_index {h} outside a table of {hashKeys.Count}");
                explicitHashKey = hashKeys[(int)h];
            }
            result.Add(new KplUserRecord(keys[(int)key], explicitHashKey, data, result.Count));
        }
        return result;
    }

    // message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
    //                  required bytes data = 3; repeated Tag tags = 4; }  (tags are not used by the KPL or KCL)
    private static (ulong, ulong?, ReadOnlyMemory<byte>) ParseRecord(ReadOnlyMemory<byte> message)
    {
        ulong? key = null, hashKey = null;
        ReadOnlyMemory<byte>? data = null;
        var reader = new ProtobufReader(message);
        while (!reader.End)
        {
            var (field, wireType) = reader.ReadTag();
            switch (field)
            {
                case 1 when wireType == ProtobufReader.Varint: key = reader.ReadVarint(); break;
                case 2 when wireType == ProtobufReader.Varint: hashKey = reader.ReadVarint(); break;
                case 3 when wireType == ProtobufReader.LengthDelimited: data = reader.ReadBytes(); break;
                default: reader.SkipField(wireType); break;
            }
        }
        if (key is null) throw new FormatException("a record without its required partition_key_index");
        if (data is null) throw new FormatException("a record without its required data");
        return (key.Value, hashKey, data.Value);
    }

    /// <summary>The protobuf wire format's reading side, as far as proto2 messages without groups need it.</summary>
    private struct ProtobufReader(ReadOnlyMemory<byte> data)
    {
        public const int Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5;
        private int _position;

        public readonly bool End => _position >= data.Length;

        public (ulong Field, int WireType) ReadTag()
        {
            ulong tag = ReadVarint();
            if (tag >> 3 == 0) throw new FormatException("field number 0");
            return (tag >> 3, (int)(tag & 7));
        }

        public ulong ReadVarint()
        {
            var span = data.Span;
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_position >= span.Length) throw new FormatException("a varint runs past the end");
                byte b = span[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
            throw new FormatException("a varint longer than 10 bytes");
        }

        public ReadOnlyMemory<byte> ReadBytes()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(data.Length - _position)) throw new FormatException($"a field of {length} bytes runs past the end");
            var bytes = data.Slice(_position, (int)length);
            _position += (int)length;
            return bytes;
        }

        public string ReadString()
        {
            var bytes = ReadBytes().Span;
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw new FormatException("a key that is not UTF-8");
            }
        }

        public void SkipField(int wireType)
        {
            switch (wireType)
            {
                case Varint: ReadVarint(); break;
                case LengthDelimited: ReadBytes(); break;
                case Fixed64: Advance(8); break;
                case Fixed32: Advance(4); break;
                default: throw new FormatException($"wire type {wireType} (groups are not used by this format)");
            }
        }

        private void Advance(int count)
        {
            if (count > data.Length - _position) throw new FormatException("a fixed-size field runs past the end");
            _position += count;
        }
    }
}
