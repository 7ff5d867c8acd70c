using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using MessagePack;

namespace LogAgent.Core.Forward;

/// <summary>A <c>&lt;user&gt;</c> of the forward input's <c>&lt;security&gt;</c>.</summary>
public sealed record ForwardHandshakeUser(string Username, string Password);

/// <summary>
/// A <c>&lt;client&gt;</c> of the forward input's <c>&lt;security&gt;</c>: the addresses it covers, its own shared key
/// (null: the section's), and the users it may log in as (empty: any).
/// </summary>
public sealed record ForwardHandshakeClient(IPNetwork Network, string? SharedKey, IReadOnlyList<string> Users);

/// <summary>
/// The server side of the forward protocol's authentication (Forward Protocol Specification v1, "Handshake
/// Messages"; fluentd lib/fluent/plugin/in_forward.rb handle_connection, generate_helo, check_ping,
/// generate_pong). On connect the server sends HELO with a fresh nonce and user-auth salt; the first request must be
/// PING, answered by PONG; only then are events accepted. A failed check is answered with
/// <c>["PONG", false, reason, "", ""]</c> and the connection closes.
/// </summary>
public sealed class ForwardHandshake
{
    private readonly string _sharedKey;
    private readonly bool _userAuth;
    private readonly bool _allowAnonymousSource;
    private readonly IReadOnlyList<ForwardHandshakeUser> _users;
    private readonly IReadOnlyList<ForwardHandshakeClient> _clients;
    private readonly bool _keepalive;

    public ForwardHandshake(string selfHostname, string sharedKey, bool userAuth, bool allowAnonymousSource,
        IReadOnlyList<ForwardHandshakeUser> users, IReadOnlyList<ForwardHandshakeClient> clients, bool keepalive)
    {
        SelfHostname = selfHostname;
        _sharedKey = sharedKey;
        _userAuth = userAuth;
        _allowAnonymousSource = allowAnonymousSource;
        _users = users;
        _clients = clients;
        _keepalive = keepalive;
    }

    public string SelfHostname { get; }

    /// <summary>
    /// Makes the 16-byte nonce, then the 16-byte user-auth salt, of each connection (in_forward.rb generate_salt:
    /// SecureRandom.random_bytes(16)). A seam for tests replaying captures whose PING digests were computed over fixed
    /// values.
    /// </summary>
    internal Func<byte[]> NewSalt { get; set; } = () => RandomNumberGenerator.GetBytes(16);

    /// <summary>Starts the handshake of one accepted connection; its <see cref="Session.Helo"/> is sent first.</summary>
    public Session Begin(ForwardPeer peer) => new(this, peer, NewSalt(), NewSalt());

    /// <summary>The result of checking a PING: the PONG to send, and on failure the reason and what to log.</summary>
    public sealed record Result(bool Success, byte[] Pong, string? Reason, string? Detail);

    public sealed class Session
    {
        private readonly ForwardHandshake _owner;
        private readonly ForwardPeer _peer;
        private readonly byte[] _nonce;
        private readonly byte[] _authSalt;

        internal Session(ForwardHandshake owner, ForwardPeer peer, byte[] nonce, byte[] authSalt)
        {
            _owner = owner;
            _peer = peer;
            _nonce = nonce;
            _authSalt = authSalt;
            Helo = EncodeHelo(nonce, authSalt, owner._keepalive);
        }

        /// <summary><c>["HELO", {"nonce": bin, "auth": bin, "keepalive": bool}]</c>, in fluentd's key order.</summary>
        public byte[] Helo { get; }

        /// <summary>True once a PING passed: from then on requests carry events.</summary>
        public bool IsEstablished { get; private set; }

        /// <summary>Checks the connection's first request, which must be a PING.</summary>
        public Result Check(ReadOnlySequence<byte> frame)
        {
            if (!TryReadPing(frame, out var ping))
                return Fail("invalid ping message", "the first request is not a PING");

            var node = _owner.NodeFor(_peer.Address);
            if (node is null && !_owner._allowAnonymousSource)
                return Fail($"anonymous source host '{_peer.Address}' denied", $"Anonymous client disallowed (hostname '{ping.HostnameText}')");

            string sharedKey = node?.SharedKey ?? _owner._sharedKey;
            var expected = Sha512Hex(ping.SharedKeySalt, ping.Hostname, _nonce, Encoding.UTF8.GetBytes(sharedKey));
            if (!FixedEquals(expected, ping.SharedKeyDigest))
                return Fail("shared_key mismatch", $"Shared key mismatch (hostname '{ping.HostnameText}')");

            if (_owner._userAuth)
            {
                var users = _owner._users;
                if (node is { Users.Count: > 0 }) users = users.Where(u => node.Users.Contains(u.Username)).ToList();
                bool success = false;
                foreach (var user in users)
                {
                    var digest = Sha512Hex(_authSalt, ping.Username, Encoding.UTF8.GetBytes(user.Password));
                    success |= ping.Username.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(user.Username)) && FixedEquals(digest, ping.PasswordDigest);
                }
                if (!success)
                    return Fail("username/password mismatch", $"Authentication failed (hostname '{ping.HostnameText}', username '{Encoding.UTF8.GetString(ping.Username)}')");
            }

            IsEstablished = true;
            var pongDigest = Sha512Hex(ping.SharedKeySalt, Encoding.UTF8.GetBytes(_owner.SelfHostname), _nonce, Encoding.UTF8.GetBytes(sharedKey));
            return new Result(true, EncodePong(true, "", _owner.SelfHostname, Encoding.ASCII.GetString(pongDigest)), null, null);
        }

        // in_forward.rb generate_pong: a failure carries the reason and empty hostname and digest.
        private static Result Fail(string reason, string detail) => new(false, EncodePong(false, reason, "", ""), reason, detail);
    }

    private ForwardHandshakeClient? NodeFor(string address)
    {
        if (_clients.Count == 0 || !IPAddress.TryParse(address, out var ip)) return null;
        // in_forward.rb check_ping: the first <client> whose address range includes the peer.
        return _clients.FirstOrDefault(c => c.Network.BaseAddress.AddressFamily == ip.AddressFamily && c.Network.Contains(ip));
    }

    private readonly record struct Ping(byte[] Hostname, byte[] SharedKeySalt, byte[] SharedKeyDigest, byte[] Username, byte[] PasswordDigest)
    {
        public string HostnameText => Encoding.UTF8.GetString(Hostname);
    }

    // ["PING", client_hostname, shared_key_salt, shared_key_hexdigest, username, password_digest]. Every element is
    // read as raw bytes: Fluent Bit sends the salt as 16 random bytes in a str (corpus README, checklist 3), and the
    // digests are computed over bytes, not text.
    private static bool TryReadPing(ReadOnlySequence<byte> frame, out Ping ping)
    {
        ping = default;
        try
        {
            var reader = new MessagePackReader(frame);
            if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 6) return false;
            if (!TryReadRaw(ref reader, out var kind) || !kind.AsSpan().SequenceEqual("PING"u8)) return false;
            if (!TryReadRaw(ref reader, out var hostname) || !TryReadRaw(ref reader, out var salt) || !TryReadRaw(ref reader, out var digest)
                || !TryReadRaw(ref reader, out var username) || !TryReadRaw(ref reader, out var password))
                return false;
            ping = new Ping(hostname, salt, digest, username, password);
            return true;
        }
        catch (MessagePackSerializationException)
        {
            return false;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    private static bool TryReadRaw(ref MessagePackReader reader, out byte[] bytes)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.String:
                bytes = reader.ReadStringSequence() is { } s ? s.ToArray() : Array.Empty<byte>();
                return true;
            case MessagePackType.Binary:
                bytes = reader.ReadBytes() is { } b ? b.ToArray() : Array.Empty<byte>();
                return true;
            default:
                bytes = Array.Empty<byte>();
                return false;
        }
    }

    private static byte[] EncodeHelo(byte[] nonce, byte[] authSalt, bool keepalive)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(2);
        writer.Write("HELO");
        writer.WriteMapHeader(3);
        writer.Write("nonce");
        writer.Write(nonce);
        // in_forward.rb generate_helo: the auth salt is sent even without user_auth (fd-server-security-nouserauth).
        writer.Write("auth");
        writer.Write(authSalt);
        writer.Write("keepalive");
        writer.Write(keepalive);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] EncodePong(bool success, string reason, string hostname, string digest)
    {
        var buffer = new ArrayBufferWriter<byte>(192);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(5);
        writer.Write("PONG");
        writer.Write(success);
        writer.Write(reason);
        writer.Write(hostname);
        writer.Write(digest);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>sha512_hex over the concatenated parts, as lowercase hex ASCII bytes (Ruby's Digest#hexdigest).</summary>
    internal static byte[] Sha512Hex(params ReadOnlySpan<byte[]> parts)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        foreach (var part in parts) sha.AppendData(part);
        return Encoding.ASCII.GetBytes(Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    private static bool FixedEquals(byte[] a, byte[] b) => CryptographicOperations.FixedTimeEquals(a, b);
}
