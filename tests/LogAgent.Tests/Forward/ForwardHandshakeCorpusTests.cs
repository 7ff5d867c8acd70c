using LogAgent.Core.Forward;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Forward;

/// <summary>
/// The handshake captures of the forward corpus. Client side: what fluentd and Fluent Bit sent to a recorder that
/// used fixed values (README: nonce 00112233…, auth salt a0a1a2…, shared key corpus_shared_key, server
/// capture-server), replayed into our input with the same values injected, so the recorded PING digests verify and
/// our HELO and PONG must equal the recorder's bytes. Server side: what real fluentd in_forward answered a scripted
/// client (fd-server-security*), replayed with fluentd's recorded nonce and salt injected, so our replies must
/// equal fluentd's byte for byte, PONG digest included.
/// </summary>
public class ForwardHandshakeCorpusTests
{
    private static readonly byte[] CorpusNonce = Convert.FromHexString("00112233445566778899aabbccddeeff");
    private static readonly byte[] CorpusAuthSalt = Convert.FromHexString("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");

    public static TheoryData<string> HandshakeCaptures()
    {
        var data = new TheoryData<string>();
        foreach (var c in ForwardCorpus.Captures.Where(c => c.HasHandshake)) data.Add(c.Name);
        return data;
    }

    private static string SecurityFor(string capture, string selfHostname = "capture-server") =>
        capture is "fd-security-userauth" or "fb-shared-key-userauth" or "fd-server-security"
            ? $"""
              <security>
                self_hostname {selfHostname}
                shared_key corpus_shared_key
                user_auth true
                <user>
                  username corpus_user
                  password corpus_pass
                </user>
              </security>
              """
            : $"""
              <security>
                self_hostname {selfHostname}
                shared_key corpus_shared_key
              </security>
              """;

    // NewSalt is called for the nonce, then for the auth salt, of each connection.
    private static void FixSalts(ForwardInputHarness harness, byte[] nonce, byte[] auth)
    {
        int calls = 0;
        harness.Input.Handshake!.NewSalt = () => Interlocked.Increment(ref calls) % 2 == 1 ? nonce : auth;
    }

    [Theory]
    [MemberData(nameof(HandshakeCaptures))]
    public Task A_handshake_capture_sent_whole_is_authenticated_and_yields_the_100_events(string name) => ReplayAsync(name, cuts: null);

    [Theory]
    [MemberData(nameof(HandshakeCaptures))]
    public Task A_handshake_capture_split_into_small_pieces_is_authenticated_and_yields_the_100_events(string name)
    {
        var random = new Random(name.Length * 7919);
        int length = ForwardCorpus.Bytes(name + ".bin").Length;
        // Cuts inside the PING (the first ~320 bytes) and a few further on.
        var cuts = Enumerable.Range(0, 12).Select(_ => random.Next(1, 330)).Concat(Enumerable.Range(0, 8).Select(_ => random.Next(1, length)))
            .Where(c => c < length).Distinct().Order().ToArray();
        return ReplayAsync(name, cuts);
    }

    private static async Task ReplayAsync(string name, int[]? cuts)
    {
        var capture = ForwardCorpus.Captures.Single(c => c.Name == name);
        await using var harness = await ForwardInputHarness.StartAsync(SecurityFor(name));
        FixSalts(harness, CorpusNonce, name == "fd-security-noauthsalt" ? Array.Empty<byte>() : CorpusAuthSalt);

        var replies = await harness.SendAndReadRepliesAsync(ForwardCorpus.Bytes(Assert.Single(capture.ClientToServer)), cuts);

        // HELO then PONG, byte for byte as the recorder (whose replies the real senders accepted) wrote them.
        Assert.Equal(ForwardCorpus.Bytes(Assert.Single(capture.ServerToClient)), replies);
        await harness.WaitForEventsAsync(100);
        ForwardCorpus.AssertEvents(capture, harness.Output.Events);
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Level >= LogLevel.Warning);
    }

    [Theory]
    [InlineData("fd-security")]
    [InlineData("fd-security-userauth")]
    [InlineData("fd-security-noauthsalt")]
    public async Task A_heartbeat_connection_does_the_whole_handshake_and_sends_no_events(string name)
    {
        await using var harness = await ForwardInputHarness.StartAsync(SecurityFor(name));
        FixSalts(harness, CorpusNonce, name == "fd-security-noauthsalt" ? Array.Empty<byte>() : CorpusAuthSalt);

        var replies = await harness.SendAndReadRepliesAsync(ForwardCorpus.Bytes(name + ".heartbeat.bin"));

        Assert.Equal(ForwardCorpus.Bytes(name + ".heartbeat.out.bin"), replies);
        Assert.Empty(harness.Output.Events);
    }

    /// <summary>fluentd's HELO is 65 bytes: the nonce at offset 15 and the auth salt at offset 38, 16 bytes each.</summary>
    private static (byte[] Nonce, byte[] Auth) RecordedSalts(byte[] fluentdReply) => (fluentdReply[15..31], fluentdReply[38..54]);

    [Theory]
    [InlineData("fd-server-security", "c1", "")]
    [InlineData("fd-server-security", "c2", "shared_key mismatch")]
    [InlineData("fd-server-security", "c3", "username/password mismatch")]
    [InlineData("fd-server-security", "c4", "invalid ping message")]
    [InlineData("fd-server-security-nouserauth", "c1", "")]
    [InlineData("fd-server-security-nouserauth", "c2", "shared_key mismatch")]
    [InlineData("fd-server-security-nouserauth", "c3", "invalid ping message")]
    public async Task Our_replies_to_the_fd_server_security_probes_equal_fluentds_byte_for_byte(string capture, string connection, string failure)
    {
        var fluentd = ForwardCorpus.Bytes($"{capture}.{connection}.out.bin");
        await using var harness = await ForwardInputHarness.StartAsync(SecurityFor(capture, selfHostname: "fd-server"));
        var (nonce, auth) = RecordedSalts(fluentd);
        FixSalts(harness, nonce, auth);

        var replies = await harness.SendAndReadRepliesAsync(ForwardCorpus.Bytes($"{capture}.{connection}.bin"));

        Assert.Equal(Convert.ToHexString(fluentd), Convert.ToHexString(replies));
        if (failure.Length == 0)
        {
            // fd-server-security.json: fluentd accepted the one Message after the handshake.
            await harness.WaitForEventsAsync(1);
            Assert.Equal("corpus.probe.secure", Assert.Single(harness.Output.Events).Tag);
            Assert.DoesNotContain(harness.Logs.Lines, l => l.Level >= LogLevel.Warning);
        }
        else
        {
            Assert.Empty(harness.Output.Events);
            var line = Assert.Single(harness.Logs.Lines, l => l.Level >= LogLevel.Warning);
            Assert.Contains("forward handshake with 127.0.0.1:", line.Message);
            Assert.Contains(failure, line.Message);
        }
    }

    /// <summary>
    /// Our client, given the recorder's HELO and fluentd's shared-key salt from fd-security.bin, sends the very PING
    /// fluentd sent, and accepts the recorder's PONG.
    /// </summary>
    [Theory]
    [InlineData("fd-security", "", "")]
    [InlineData("fd-security-userauth", "corpus_user", "corpus_pass")]
    [InlineData("fd-security-noauthsalt", "", "")]
    public void Our_PING_to_the_recorders_HELO_is_byte_for_byte_fluentds(string name, string username, string password)
    {
        var sent = ForwardCorpus.Bytes(name + ".bin");
        var received = ForwardCorpus.Bytes(name + ".out.bin");
        var pingLength = PingLength(sent);
        var fluentdSalt = System.Text.Encoding.ASCII.GetString(sent, 0x12, 32); // PING[2]: 32 hex characters in a str8 (d9 20) after "PING", "fd-client"
        var handshake = new ForwardClientHandshake("fd-client", "corpus_shared_key", username, password) { NewSalt = () => fluentdSalt };
        var session = handshake.Begin();

        int heloLength = HeloLength(received);
        var ping = session.Ping(new System.Buffers.ReadOnlySequence<byte>(received, 0, heloLength));

        Assert.Equal(Convert.ToHexString(sent, 0, pingLength), Convert.ToHexString(ping));
        session.CheckPong(new System.Buffers.ReadOnlySequence<byte>(received, heloLength, received.Length - heloLength));
    }

    [Fact]
    public void A_PONG_whose_digest_was_made_with_another_key_is_refused_by_the_client()
    {
        var received = ForwardCorpus.Bytes("fd-security.out.bin");
        var sent = ForwardCorpus.Bytes("fd-security.bin");
        var salt = System.Text.Encoding.ASCII.GetString(sent, 0x12, 32);
        var session = new ForwardClientHandshake("fd-client", "another_key", "", "") { NewSalt = () => salt }.Begin();
        int heloLength = HeloLength(received);
        session.Ping(new System.Buffers.ReadOnlySequence<byte>(received, 0, heloLength));
        var e = Assert.Throws<IOException>(() => session.CheckPong(new System.Buffers.ReadOnlySequence<byte>(received, heloLength, received.Length - heloLength)));
        Assert.Equal("shared key mismatch", e.Message);
    }

    private static int HeloLength(byte[] bytes) => ValueLength(bytes);

    private static int PingLength(byte[] bytes) => ValueLength(bytes);

    private static int ValueLength(byte[] bytes)
    {
        var reader = new MessagePack.MessagePackReader(bytes);
        reader.Skip();
        return (int)reader.Consumed;
    }
}
