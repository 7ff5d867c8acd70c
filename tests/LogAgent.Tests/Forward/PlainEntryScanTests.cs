using LogAgent.Core.Forward;
using LogAgent.Sdk.Events;
using MessagePack;

namespace LogAgent.Tests.Forward;

/// <summary>
/// The fast check of PackedForward entries answers "plain" (a count) only for entries the decoder keeps as they are,
/// and hands everything else (-1) to the full reader, which normalises or refuses it.
/// </summary>
public class PlainEntryScanTests
{
    private static byte[] Entries(Requests.Writing write) => Requests.Build(write);

    private static void PlainEntry(ref MessagePackWriter w, uint seconds)
    {
        w.WriteArrayHeader(2);
        new EventTime(seconds, 5).WriteTo(ref w);
        w.WriteMapHeader(3);
        w.Write("s"); w.Write(new string('x', 300));
        w.Write("n"); w.Write(-1_000_000_000_000L);
        w.Write("nested"); w.WriteArrayHeader(2); w.WriteMapHeader(1); w.Write("f"); w.Write(1.5); w.Write(new byte[70_000]);
    }

    [Fact]
    public void Plain_entries_are_counted()
    {
        var entries = Entries((ref MessagePackWriter w) =>
        {
            for (int i = 0; i < 3; i++) PlainEntry(ref w, 1709294400);
            w.WriteArrayHeader(2); w.Write(1709294400); w.WriteMapHeader(0); // integer time
        });
        Assert.Equal(4, PlainEntryScan.Count(entries));
        Assert.Equal(0, PlainEntryScan.Count(ReadOnlySpan<byte>.Empty));
    }

    public static TheoryData<string, byte[]> NotPlain() => new()
    {
        { "time 0 (becomes now)", Entries((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(0); w.WriteMapHeader(0); }) },
        { "EventTime 0 (becomes now)", Entries((ref MessagePackWriter w) => PlainEntry(ref w, 0)) },
        { "nil time", Entries((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.WriteNil(); w.WriteMapHeader(0); }) },
        { "float time", Entries((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(1709294400.5); w.WriteMapHeader(0); }) },
        { "Fluent Bit [[time, metadata], record]", Entries((ref MessagePackWriter w) =>
            { w.WriteArrayHeader(2); w.WriteArrayHeader(2); w.Write(1709294400); w.WriteMapHeader(0); w.WriteMapHeader(0); }) },
        { "nil record", Entries((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(1709294400); w.WriteNil(); }) },
        { "record not a map", Entries((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(1709294400); w.Write("text"); }) },
        { "entry of 3", Entries((ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1709294400); w.WriteMapHeader(0); w.WriteNil(); }) },
        { "never-used code 0xc1", [0x92, 0x01, 0x81, 0xa1, (byte)'k', 0xc1] },
        { "cut short", Entries((ref MessagePackWriter w) => PlainEntry(ref w, 1709294400))[..^1] },
        { "str32 longer than what is left", [0x92, 0x01, 0x81, 0xa1, (byte)'k', 0xdb, 0xff, 0xff, 0xff, 0xff] },
        { "nested deeper than the limit", [0x92, 0x01, 0x81, 0xa1, (byte)'k', .. Enumerable.Repeat((byte)0x91, 150), 0xc0] },
    };

    [Theory]
    [MemberData(nameof(NotPlain))]
    public void Anything_else_goes_to_the_full_reader(string what, byte[] entries)
    {
        var plainFirst = Entries((ref MessagePackWriter w) => PlainEntry(ref w, 1709294400));
        Assert.True(PlainEntryScan.Count(entries) == -1, what);
        Assert.True(PlainEntryScan.Count([.. plainFirst, .. entries]) == -1, what + " after a plain entry");
    }
}
