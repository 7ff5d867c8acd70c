using System.Buffers;
using System.Text;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;
using LogAgent.Tests.Forward;
using MessagePack;

namespace LogAgent.Tests.Text;

/// <summary>
/// RecordJson.TryWriteMsgpack must give byte for byte what RecordJson.Write gives for the decoded record — the
/// decoded path is the reference — or decline without writing anything.
/// </summary>
public class RecordJsonFromMsgpackTests
{
    // msgpack written by hand, as other senders write it (the project's one builder of test bytes).
    private static byte[] Msgpack(Requests.Writing write) => Requests.Build(write);

    private static string ViaDecode(byte[] msgpack)
    {
        var output = new ArrayBufferWriter<byte>();
        RecordJson.Write(output, RecordCodec.Decode(msgpack));
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string? Direct(byte[] msgpack)
    {
        var output = new ArrayBufferWriter<byte>();
        var ok = RecordJson.TryWriteMsgpack(output, msgpack);
        if (!ok) Assert.Equal(0, output.WrittenCount);
        return ok ? Encoding.UTF8.GetString(output.WrittenSpan) : null;
    }

    public static TheoryData<string> Records() => new()
    {
        """{"host":"203.0.113.9","user":"-","method":"GET","path":"/cart?id=1&x=\"q\"","code":200,"size":612,"agent":"Mozilla/5.0 (X11; Linux x86_64)"}""",
        """{"message":"tab\there, newline\n, cr\r, bell\u0007, quote \", backslash \\, unicode é ✓ 𝄞, del \u007f, sep \u2028"}""",
        """{"n":null,"t":true,"f":false,"neg":-42,"big":9223372036854775807,"small":-9223372036854775808,"zero":0}""",
        """{"float":0.1,"whole":1.0,"large":1e20,"tiny":1.5e-7,"negzero":-0.0,"pi":3.141592653589793}""",
        """{"nested":{"a":[1,"two",{"three":[3.5,null,[]]}],"b":{}},"empty":"","list":[]}""",
        """{}""",
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Gives_what_the_decoded_record_gives(string json)
    {
        var msgpack = RecordCodec.Encode((Record)RecordJson.Parse(json)!);
        Assert.Equal(ViaDecode(msgpack), Direct(msgpack));
    }

    [Fact]
    public void Unsigned_64_bit_integers_binary_and_event_times_are_written_as_the_decoded_path_writes_them()
    {
        var msgpack = Msgpack((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(4);
            w.Write("u64"); w.Write(ulong.MaxValue);
            w.Write("u64small"); w.Write((ulong)7);
            w.Write("bin"); w.Write(Encoding.UTF8.GetBytes("bytes \"x\"\n"));
            w.Write("time"); new EventTime(1_767_225_600, 5).WriteTo(ref w);
        });
        Assert.Equal(ViaDecode(msgpack), Direct(msgpack));
    }

    /// <summary>Every msgpack format a sender may use, each written as the decoded path writes it.</summary>
    private static byte[] EveryFormat() => Msgpack((ref MessagePackWriter w) =>
    {
        w.WriteMapHeader(18);
        w.Write("fixint"); w.WriteRaw(new byte[] { 0x7f });
        w.Write("negfixint"); w.WriteRaw(new byte[] { 0xe0 });
        w.Write("u8"); w.WriteUInt8(200);
        w.Write("u16"); w.WriteUInt16(60000);
        w.Write("u32"); w.WriteUInt32(4_000_000_000);
        w.Write("u64"); w.WriteUInt64(9_000_000_000_000_000_000);
        w.Write("i8"); w.WriteInt8(-100);
        w.Write("i16"); w.WriteInt16(-30000);
        w.Write("i32"); w.WriteInt32(-2_000_000_000);
        w.Write("i64"); w.WriteInt64(long.MinValue);
        w.Write("f32"); w.Write(1.1f);
        w.Write("f64"); w.Write(-2.5e-7);
        w.Write("str16"); w.WriteString(Encoding.UTF8.GetBytes(new string('s', 300)));
        w.Write("bin8"); w.Write(new byte[] { (byte)'b' });
        w.Write("array16"); w.WriteArrayHeader(20); for (int i = 0; i < 20; i++) w.WriteNil();
        w.Write("map16"); w.WriteMapHeader(17); for (int i = 0; i < 17; i++) { w.Write("k" + i); w.Write(true); }
        w.Write("time_ext8"); w.WriteRaw(new byte[] { 0xc7, 8, 0, 0x69, 0x56, 0x45, 0x80, 0, 0, 0, 5 });
        w.Write("false"); w.Write(false);
    });

    [Fact]
    public void Every_msgpack_format_is_written_as_the_decoded_path_writes_it()
    {
        var msgpack = EveryFormat();
        Assert.NotNull(Direct(msgpack));
        Assert.Equal(ViaDecode(msgpack), Direct(msgpack));
    }

    [Fact]
    public void Every_truncation_of_a_record_is_declined_without_an_exception()
    {
        var msgpack = EveryFormat();
        for (int length = 0; length < msgpack.Length; length++)
            Assert.Null(Direct(msgpack[..length]));
    }

    [Fact]
    public void Invalid_utf8_in_a_value_is_replaced_as_the_string_reader_replaces_it()
    {
        var msgpack = Msgpack((ref MessagePackWriter w) =>
        {
            w.WriteMapHeader(1);
            w.Write("m");
            w.WriteStringHeader(5);
            w.WriteRaw(new byte[] { (byte)'o', (byte)'k', 0xff, 0xc3, (byte)'"' });
        });
        Assert.Equal(ViaDecode(msgpack), Direct(msgpack));
    }

    [Fact]
    public void Records_only_the_decoded_path_treats_right_are_declined()
    {
        // A repeated key: the dictionary keeps the last value at the first key's place.
        Assert.Null(Direct(Msgpack((ref MessagePackWriter w) => { w.WriteMapHeader(2); w.Write("a"); w.Write(1); w.Write("a"); w.Write(2); })));
        // A key that is not a string.
        Assert.Null(Direct(Msgpack((ref MessagePackWriter w) => { w.WriteMapHeader(1); w.Write(1); w.Write("x"); })));
        // An extension other than EventTime.
        Assert.Null(Direct(Msgpack((ref MessagePackWriter w) => { w.WriteMapHeader(1); w.Write("e"); w.WriteExtensionFormat(new ExtensionResult(5, new byte[] { 1, 2 })); })));
        // Not a map at all, and a truncated map.
        Assert.Null(Direct(Msgpack((ref MessagePackWriter w) => w.Write("just a string"))));
        Assert.Null(Direct(Msgpack((ref MessagePackWriter w) => { w.WriteMapHeader(2); w.Write("a"); w.Write(1); })));
    }

    [Fact]
    public void Random_records_give_the_same_bytes_both_ways()
    {
        var random = new Random(20261126);
        object? Value(int depth) => random.Next(depth > 2 ? 6 : 9) switch
        {
            0 => null,
            1 => random.Next(2) == 0,
            2 => (long)random.Next(int.MinValue, int.MaxValue) * random.Next(1, 5),
            3 => Math.Round(random.NextDouble() * Math.Pow(10, random.Next(-8, 22)), random.Next(0, 6)),
            4 or 5 => Text(),
            6 => Enumerable.Range(0, random.Next(4)).Select(_ => Value(depth + 1)).ToList(),
            _ => Map(depth + 1),
        };
        const string alphabet = "aZ09 \"\\\t\n\u0001é✓/<>&'";
        string Text() => new(Enumerable.Range(0, random.Next(12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        Record Map(int depth)
        {
            var map = new Record();
            for (int i = random.Next(6); i > 0; i--) map[Text() + i] = Value(depth);
            return map;
        }
        for (int i = 0; i < 2000; i++)
        {
            var msgpack = RecordCodec.Encode(Map(0));
            Assert.Equal(ViaDecode(msgpack), Direct(msgpack));
        }
    }
}
