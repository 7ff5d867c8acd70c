namespace LogAgent.Tests.Forward;

/// <summary>
/// Every client capture of the forward corpus, replayed byte for byte over a real TCP connection into a running
/// engine: whole, and split at random offsets (corpus README, "How to use a capture"). The 100 events must come out
/// as input/expected.jsonl says, and where the recorder acked, our replies must equal its <c>.out.bin</c> exactly.
/// </summary>
public class ForwardInputCorpusTests
{
    // The handshake captures (fd-security*, fb-shared-key*) start with HELO/PING/PONG from <security>; they need the
    // recorder's fixed nonce and salt and are replayed in ForwardHandshakeCorpusTests.
    public static TheoryData<string> PlainCaptures()
    {
        var data = new TheoryData<string>();
        foreach (var c in ForwardCorpus.Captures.Where(c => !c.HasHandshake)) data.Add(c.Name);
        return data;
    }

    [Fact]
    public void The_corpus_has_25_plain_client_captures_and_5_handshake_captures()
    {
        Assert.Equal(25, ForwardCorpus.Captures.Count(c => !c.HasHandshake));
        Assert.Equal(5, ForwardCorpus.Captures.Count(c => c.HasHandshake));
    }

    [Theory]
    [MemberData(nameof(PlainCaptures))]
    public Task A_capture_sent_whole_yields_the_100_events_and_the_recorded_acks(string name) => ReplayAsync(name, seed: null);

    [Theory]
    [MemberData(nameof(PlainCaptures))]
    public Task A_capture_split_at_random_offsets_yields_the_100_events_and_the_recorded_acks(string name) => ReplayAsync(name, seed: name.Length * 7919);

    private static async Task ReplayAsync(string name, int? seed)
    {
        var capture = ForwardCorpus.Captures.Single(c => c.Name == name);
        var bytes = ForwardCorpus.Bytes(Assert.Single(capture.ClientToServer));
        await using var harness = await ForwardInputHarness.StartAsync();

        var cuts = seed is { } s ? RandomCuts(bytes.Length, new Random(s)) : null;
        var replies = await harness.SendAndReadRepliesAsync(bytes, cuts);

        await harness.WaitForEventsAsync(100);
        ForwardCorpus.AssertEvents(capture, harness.Output.Events);
        if (capture.ServerToClient.Length == 1)
            Assert.Equal(ForwardCorpus.Bytes(capture.ServerToClient[0]), replies);
        else if (!capture.OptionKeys.Contains("chunk"))
            Assert.Empty(replies);
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    // Between 1 and 40 cut points, biased towards small pieces near the start where headers are.
    private static int[] RandomCuts(int length, Random random)
    {
        int n = random.Next(1, 41);
        return Enumerable.Range(0, n).Select(_ => random.Next(1, length)).Append(1).Append(2).Append(3)
            .Where(c => c < length).Distinct().Order().ToArray();
    }

    /// <summary>
    /// fd-server-plain: the bytes real fluentd in_forward answered a scripted client with. A compatible server replies
    /// the same, byte for byte (README, checklist 4): str and bin chunks echoed in their own type, nothing for requests
    /// without chunk or for nil, and the connection stays usable throughout.
    /// </summary>
    [Fact]
    public async Task The_replies_to_the_fd_server_plain_msgpack_probe_equal_fluentds()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var replies = await harness.SendAndReadRepliesAsync(ForwardCorpus.Bytes("fd-server-plain.c1.bin"));
        Assert.Equal(ForwardCorpus.Bytes("fd-server-plain.c1.out.bin"), replies);

        // fd-server-plain.json: fluentd accepted 13 events from this connection (seq 4 and 5 three times: bin, str32, gzip).
        await harness.WaitForEventsAsync(13);
        var seen = harness.Output.Events.Select(e => $"{e.Tag}:{e.Record["seq"]}").ToList();
        Assert.Equal(new[]
        {
            "corpus.probe.message:1", "corpus.probe.forward:2", "corpus.probe.forward:3",
            "corpus.probe.packed_bin:4", "corpus.probe.packed_bin:5", "corpus.probe.packed_str32:4", "corpus.probe.packed_str32:5",
            "corpus.probe.compressed:4", "corpus.probe.compressed:5", "corpus.probe.binchunk:6", "corpus.probe.noopt:7",
            "corpus.probe.nochunk:8", "corpus.probe.after:9",
        }, seen);
    }

    [Fact]
    public async Task The_reply_to_the_fd_server_plain_json_probe_equals_fluentds()
    {
        await using var harness = await ForwardInputHarness.StartAsync();
        var replies = await harness.SendAndReadRepliesAsync(ForwardCorpus.Bytes("fd-server-plain.c2.bin"));
        Assert.Equal(ForwardCorpus.Bytes("fd-server-plain.c2.out.bin"), replies);
        await harness.WaitForEventsAsync(1);
        var e = Assert.Single(harness.Output.Events);
        Assert.Equal("corpus.probe.json", e.Tag);
        Assert.Equal(1709294400u, e.Time.Seconds);
        Assert.Equal(10L, e.Record["seq"]);
    }
}
