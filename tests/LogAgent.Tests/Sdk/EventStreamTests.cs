using LogAgent.Sdk.Events;
using MessagePack;

namespace LogAgent.Tests.Sdk;

public class EventStreamTests
{
    [Fact]
    public void Entries_are_the_msgpack_of_time_and_record_and_enumerate_back_without_change()
    {
        var builder = new EventStreamBuilder("app.web");
        builder.Add(new EventTime(100, 1), new Record { ["message"] = "one", ["n"] = 1L });
        builder.Add(new EventTime(200, 2), new Record { ["message"] = "two", ["nested"] = new Record { ["a"] = new List<object?> { 1L, "x", null } } });
        var stream = builder.Build();

        Assert.Equal(2, stream.Count);
        var entries = new List<(EventTime, Record)>();
        foreach (var entry in stream) entries.Add((entry.Time, entry.DecodeRecord()));
        Assert.Equal(new EventTime(100, 1), entries[0].Item1);
        Assert.Equal("one", entries[0].Item2["message"]);
        Assert.Equal(1L, entries[0].Item2["n"]);
        var nested = (Record)entries[1].Item2["nested"]!;
        Assert.Equal(new List<object?> { 1L, "x", null }, (List<object?>)nested["a"]!);
    }

    [Fact]
    public void A_record_encoded_by_the_MessagePack_library_serializer_is_read_as_a_record()
    {
        // Bytes produced by another encoder (MessagePackSerializer's own dictionary formatter), not by RecordCodec.
        var other = MessagePackSerializer.Serialize(new Dictionary<string, object>
        {
            ["s"] = "text", ["i"] = -5, ["u"] = ulong.MaxValue, ["f"] = 1.5, ["b"] = true, ["bin"] = new byte[] { 1, 2 },
        });
        var record = RecordCodec.Decode(other);
        Assert.Equal("text", record["s"]);
        Assert.Equal(-5L, record["i"]);
        Assert.Equal(ulong.MaxValue, record["u"]);
        Assert.Equal(1.5, record["f"]);
        Assert.Equal(true, record["b"]);
        Assert.Equal(new byte[] { 1, 2 }, record["bin"]);
    }

    [Fact]
    public void AddRaw_keeps_record_bytes_byte_for_byte()
    {
        var recordBytes = RecordCodec.Encode(new Record { ["message"] = "GET / 200" });
        var builder = new EventStreamBuilder("t");
        builder.AddRaw(new EventTime(1, 0), recordBytes);
        var stream = builder.Build();
        foreach (var entry in stream) Assert.Equal(recordBytes, entry.RecordBytes.ToArray());
    }

    [Fact]
    public void An_entry_that_is_not_a_pair_is_reported()
    {
        // [1, {}, 2]: three elements
        var stream = new EventStream("t", new byte[] { 0x93, 0x01, 0x80, 0x02 }, 1);
        var ex = Assert.Throws<MessagePackSerializationException>(() => { foreach (var _ in stream) { } });
        Assert.Contains("array of 3", ex.Message);
    }

    [Fact]
    public void WithTag_shares_the_bytes()
    {
        var stream = EventStream.Single("a", new EventTime(1, 0), new Record { ["k"] = "v" });
        var moved = stream.WithTag("b");
        Assert.Equal("b", moved.Tag);
        Assert.True(stream.Entries.Span == moved.Entries.Span);
    }
}
