using LogAgent.Sdk.Events;
using LogAgent.Tests.Forward;
using MessagePack;

namespace LogAgent.Tests.Sdk;

/// <summary><see cref="RecordCodec.TryReadField"/> gives what decoding the whole record and looking the key up gives.</summary>
public class RecordFieldTests
{
    // msgpack written by hand, as other senders write it (the project's one builder of test bytes).
    private static byte[] Msgpack(Requests.Writing write) => Requests.Build(write);

    private static void SameAsDecoded(byte[] msgpack, string key)
    {
        bool expected = RecordCodec.Decode(msgpack).TryGetValue(key, out var expectedValue);
        bool found = RecordCodec.TryReadField(msgpack, key, out var value);
        Assert.Equal(expected, found);
        Assert.Equal(expectedValue, value);
    }

    [Fact]
    public void A_field_of_any_type_is_read_as_decoding_reads_it()
    {
        var msgpack = RecordCodec.Encode(new Record
        {
            ["host"] = "10.0.0.7", ["code"] = 200L, ["size"] = 1.5, ["ok"] = true, ["none"] = null,
            ["list"] = new List<object?> { 1L, "a" }, ["map"] = new Record { ["x"] = "y" }, ["é✓"] = "unicode key",
        });
        foreach (var key in new[] { "host", "code", "size", "ok", "none", "list", "map", "é✓", "missing", "" })
            SameAsDecoded(msgpack, key);
    }

    [Fact]
    public void A_repeated_key_gives_its_last_value_as_the_dictionary_keeps()
    {
        var msgpack = Msgpack((ref MessagePackWriter w) => { w.WriteMapHeader(3); w.Write("k"); w.Write("first"); w.Write("o"); w.Write(1); w.Write("k"); w.Write("last"); });
        Assert.True(RecordCodec.TryReadField(msgpack, "k", out var value));
        Assert.Equal("last", value);
    }

    [Fact]
    public void Keys_that_are_not_utf8_strings_are_compared_as_decoding_makes_them()
    {
        SameAsDecoded(Msgpack((ref MessagePackWriter w) => { w.WriteMapHeader(2); w.Write(42); w.Write("by number"); w.Write("k"); w.Write("v"); }), "42");
        SameAsDecoded(Msgpack((ref MessagePackWriter w) => { w.WriteMapHeader(1); w.WriteStringHeader(2); w.WriteRaw(new byte[] { 0xff, (byte)'k' }); w.Write("v"); }), "\uFFFDk");
    }

    [Fact]
    public void A_record_that_is_not_a_map_is_refused_as_decoding_refuses_it()
    {
        var msgpack = Msgpack((ref MessagePackWriter w) => w.Write("text"));
        Assert.Throws<MessagePackSerializationException>(() => RecordCodec.TryReadField(msgpack, "k", out _));
    }
}
