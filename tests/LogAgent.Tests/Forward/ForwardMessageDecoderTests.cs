using System.Buffers;
using LogAgent.Core.Forward;
using LogAgent.Sdk.Events;
using MessagePack;

namespace LogAgent.Tests.Forward;

/// <summary>
/// The decoder on its own, fed byte sequences of many segments, as bytes trickle in: the same requests must come out
/// however the stream is split (corpus README: "real TCP segmentation is arbitrary").
/// </summary>
public class ForwardMessageDecoderTests
{
    private static readonly ForwardDecoderOptions Options = new() { Now = () => new EventTime(42, 0) };

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, Segment? previous)
        {
            Memory = memory;
            if (previous is not null)
            {
                RunningIndex = previous.RunningIndex + previous.Memory.Length;
                previous.Next = this;
            }
        }
    }

    /// <summary>The bytes as a sequence of segments of <paramref name="pieceSize"/> bytes.</summary>
    private static ReadOnlySequence<byte> Pieces(byte[] data, int pieceSize)
    {
        Segment? first = null, last = null;
        for (int i = 0; i < data.Length; i += pieceSize)
        {
            last = new Segment(data.AsMemory(i, Math.Min(pieceSize, data.Length - i)), last);
            first ??= last;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    /// <summary>Decodes as if <paramref name="pieceSize"/> bytes arrived at a time, each arrival extending the buffer.</summary>
    private static List<ForwardRequest?> DecodeTrickled(byte[] data, int pieceSize)
    {
        var decoder = new ForwardMessageDecoder(Options);
        var all = Pieces(data, pieceSize);
        var requests = new List<ForwardRequest?>();
        long consumed = 0;
        for (long arrived = Math.Min(pieceSize, data.Length); ; arrived = Math.Min(arrived + pieceSize, data.Length))
        {
            var buffer = all.Slice(consumed, arrived - consumed);
            while (decoder.TryCut(ref buffer, out var frame)) requests.Add(decoder.Decode(frame));
            consumed = arrived - buffer.Length;
            if (arrived == data.Length) break;
        }
        Assert.Equal(data.Length, consumed);
        return requests;
    }

    private static string Describe(ForwardRequest? r) => r is null ? "nil"
        : $"{r.Mode} {r.Tag} {r.Events.Count} {Convert.ToHexString(r.Events.Entries.Span)} {(r.Chunk is { } c ? Convert.ToHexString(c.Bytes) + c.IsBinary : "-")}";

    public static TheoryData<string, int> Splits()
    {
        var data = new TheoryData<string, int> { { "fd-server-plain.c1.bin", 1 }, { "fd-server-plain.c2.bin", 1 } };
        foreach (var c in ForwardCorpus.Captures.Where(c => !c.HasHandshake))
        {
            data.Add(c.ClientToServer[0], 61);
            data.Add(c.ClientToServer[0], 509);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Splits))]
    public void A_stream_split_into_small_segments_decodes_to_the_same_requests_as_whole(string file, int pieceSize)
    {
        var bytes = ForwardCorpus.Bytes(file);
        var whole = DecodeTrickled(bytes, bytes.Length).Select(Describe).ToList();
        var split = DecodeTrickled(bytes, pieceSize).Select(Describe).ToList();
        Assert.NotEmpty(whole);
        Assert.Equal(whole, split);
    }

    [Fact]
    public void PackedForward_entries_are_passed_on_as_the_bytes_that_arrived()
    {
        var (_, entries, _) = ForwardOutputTests.PackedRequestOf("fd-default.bin");
        var request = DecodeTrickled(ForwardCorpus.Bytes("fd-default.bin"), 100_000).Single()!;
        Assert.Equal(ForwardMode.PackedForward, request.Mode);
        Assert.Equal(100, request.Events.Count);
        Assert.Equal(entries, request.Events.Entries.ToArray());
    }

    [Fact]
    public void Fluent_Bit_metadata_entries_become_plain_time_record_entries()
    {
        var request = DecodeTrickled(ForwardCorpus.Bytes("fb-retain-metadata.bin"), 100_000).Single()!;
        var reader = new MessagePackReader(request.Events.Entries);
        int n = 0;
        while (!reader.End)
        {
            Assert.Equal(2, reader.ReadArrayHeader());
            Assert.Equal(MessagePackType.Extension, reader.NextMessagePackType);
            reader.Skip();
            Assert.Equal(MessagePackType.Map, reader.NextMessagePackType);
            reader.Skip();
            n++;
        }
        Assert.Equal(100, n);
    }

    private static byte[] Entries(params (uint Time, int Seq)[] events)
    {
        var builder = new EventStreamBuilder("t");
        foreach (var (time, seq) in events) builder.Add(new EventTime(time, 0), new Record { ["seq"] = (long)seq });
        return builder.Build().Entries.ToArray();
    }

    [Fact]
    public void CompressedPackedForward_reads_every_concatenated_gzip_member()
    {
        var part1 = Entries((1709294400, 1));
        var part2 = Entries((1709294401, 2), (1709294402, 3));
        var gzip = GzipMembers.Compress(part1).Concat(GzipMembers.Compress(part2)).ToArray();
        var frame = Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.Write("gz");
            w.Write(gzip);
            w.WriteMapHeader(1);
            w.Write("compressed");
            w.Write("gzip");
        });
        var request = DecodeTrickled(frame, 5).Single()!;
        Assert.Equal(ForwardMode.CompressedPackedForward, request.Mode);
        Assert.Equal(part1.Concat(part2).ToArray(), request.Events.Entries.ToArray());
        Assert.Equal(3, request.Events.Count);
    }

    [Fact]
    public void Gzip_that_inflates_past_the_limit_is_malformed()
    {
        var huge = GzipMembers.Compress(new byte[1 << 20]);
        var frame = Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(3);
            w.Write("gz");
            w.Write(huge);
            w.WriteMapHeader(1);
            w.Write("compressed");
            w.Write("gzip");
        });
        var decoder = new ForwardMessageDecoder(Options with { MaxDecompressedBytes = 1000 });
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(decoder.TryCut(ref buffer, out var cut));
        var e = Assert.Throws<ForwardProtocolException>(() => decoder.Decode(cut));
        Assert.Contains("inflate to more than 1000 bytes", e.Message);
    }

    [Fact]
    public void Packed_entries_with_time_zero_are_rebuilt_with_the_receive_time()
    {
        var entries = Entries((0, 1), (1709294400, 2));
        var frame = Requests.Build((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.Write("zero");
            w.Write(entries);
        });
        var request = DecodeTrickled(frame, 3).Single()!;
        var times = new List<uint>();
        foreach (var e in request.Events) times.Add(e.Time.Seconds);
        Assert.Equal(new uint[] { 42, 1709294400 }, times);
    }
}
