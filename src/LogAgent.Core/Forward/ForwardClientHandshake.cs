using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using MessagePack;

namespace LogAgent.Core.Forward;

/// <summary>
/// The client side of the forward protocol's authentication (Forward Protocol Specification v1, "Handshake
/// Messages"; fluentd lib/fluent/plugin/out_forward/handshake_protocol.rb): read the server's HELO, answer PING
/// with the shared-key digest (and the password digest when HELO offered an auth salt), and check the PONG, whose
/// digest proves the server knows the shared key too. Every failure is an <see cref="IOException"/> with fluentd's
/// reason, so the write fails and the chunk is retried.
/// </summary>
public sealed class ForwardClientHandshake(string selfHostname, string sharedKey, string username, string password)
{
    public string SelfHostname { get; } = selfHostname;
    private byte[] SharedKey { get; } = System.Text.Encoding.UTF8.GetBytes(sharedKey);
    private string Username { get; } = username;
    private string Password { get; } = password;

    /// <summary>
    /// Makes the shared-key salt of each connection. out_forward.rb generate_salt: SecureRandom.hex(16), i.e. 32 hex
    /// characters sent as a str (the corpus's fd-security PING). A seam for tests.
    /// </summary>
    internal Func<string> NewSalt { get; set; } = () => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public Session Begin() => new(this, Encoding.UTF8.GetBytes(NewSalt()));

    public sealed class Session
    {
        private readonly ForwardClientHandshake _owner;
        private readonly byte[] _salt;
        private byte[] _nonce = Array.Empty<byte>();

        internal Session(ForwardClientHandshake owner, byte[] salt)
        {
            _owner = owner;
            _salt = salt;
        }

        /// <summary>Reads HELO and returns the PING to send.</summary>
        public byte[] Ping(ReadOnlySequence<byte> helo)
        {
            // handshake_protocol.rb check_helo: ["HELO", options]; a missing nonce or auth counts as empty, which
            // makes the shared-key check fail later rather than here.
            byte[] auth = Array.Empty<byte>();
            try
            {
                var reader = new MessagePackReader(helo);
                if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 2 || !IsText(ref reader, "HELO"u8))
                    throw new IOException("received invalid helo message");
                if (reader.NextMessagePackType == MessagePackType.Map)
                {
                    int pairs = reader.ReadMapHeader();
                    for (int i = 0; i < pairs; i++)
                    {
                        var name = ReadRaw(ref reader);
                        if (name.AsSpan().SequenceEqual("nonce"u8)) _nonce = ReadRaw(ref reader);
                        else if (name.AsSpan().SequenceEqual("auth"u8)) auth = ReadRaw(ref reader);
                        else reader.Skip();
                    }
                }
                else reader.Skip();
            }
            catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException)
            {
                throw new IOException("received invalid helo message", e);
            }

            var hostname = Encoding.UTF8.GetBytes(_owner.SelfHostname);
            var key = _owner.SharedKey;
            var buffer = new ArrayBufferWriter<byte>(320);
            var writer = new MessagePackWriter(buffer);
            writer.WriteArrayHeader(6);
            writer.Write("PING");
            writer.WriteString(hostname);
            writer.WriteString(_salt);
            writer.WriteString(ForwardHandshake.Sha512Hex(_salt, hostname, _nonce, key));
            // generate_ping: with an auth salt the username and sha512_hex(auth + username + password) are sent,
            // even when both are empty (corpus README, checklist 3); without one, two empty strings.
            if (auth.Length > 0)
            {
                var user = Encoding.UTF8.GetBytes(_owner.Username);
                writer.WriteString(user);
                writer.WriteString(ForwardHandshake.Sha512Hex(auth, user, Encoding.UTF8.GetBytes(_owner.Password)));
            }
            else
            {
                writer.Write("");
                writer.Write("");
            }
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }

        /// <summary>Checks the PONG; throws <see cref="IOException"/> with the reason when the server refused or is not trusted.</summary>
        public void CheckPong(ReadOnlySequence<byte> pong)
        {
            bool authResult;
            byte[] reason, hostname, digest;
            try
            {
                var reader = new MessagePackReader(pong);
                if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 5 || !IsText(ref reader, "PONG"u8))
                    throw new IOException("invalid format for PONG message");
                authResult = reader.NextMessagePackType == MessagePackType.Boolean ? reader.ReadBoolean() : !reader.TryReadNil() && Skip(ref reader);
                reason = ReadRaw(ref reader);
                hostname = ReadRaw(ref reader);
                digest = ReadRaw(ref reader);
            }
            catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException)
            {
                throw new IOException("invalid format for PONG message", e);
            }
            if (!authResult) throw new IOException("authentication failed: " + Encoding.UTF8.GetString(reason));
            if (hostname.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(_owner.SelfHostname)))
                throw new IOException("same hostname between input and output: invalid configuration");
            var expected = ForwardHandshake.Sha512Hex(_salt, hostname, _nonce, _owner.SharedKey);
            if (!CryptographicOperations.FixedTimeEquals(expected, digest)) throw new IOException("shared key mismatch");
        }
    }

    private static bool Skip(ref MessagePackReader reader)
    {
        reader.Skip();
        return true; // Ruby truthiness: anything but nil and false
    }

    private static bool IsText(ref MessagePackReader reader, ReadOnlySpan<byte> expected) =>
        reader.NextMessagePackType == MessagePackType.String && ReadRaw(ref reader).AsSpan().SequenceEqual(expected);

    private static byte[] ReadRaw(ref MessagePackReader reader) => reader.NextMessagePackType switch
    {
        MessagePackType.String => reader.ReadStringSequence()?.ToArray() ?? Array.Empty<byte>(),
        MessagePackType.Binary => reader.ReadBytes()?.ToArray() ?? Array.Empty<byte>(),
        _ => SkipToEmpty(ref reader),
    };

    private static byte[] SkipToEmpty(ref MessagePackReader reader)
    {
        reader.Skip();
        return Array.Empty<byte>();
    }
}
