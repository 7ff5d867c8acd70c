using System.Globalization;

namespace LogAgent.Cat;

/// <summary>How <c>logagent cat</c> reads standard input.</summary>
public enum CatFormat
{
    /// <summary>One JSON object per line (fluent-cat's default, <c>--json</c>).</summary>
    Json,

    /// <summary>A stream of msgpack maps (fluent-cat's <c>--msgpack</c>).</summary>
    MessagePack,

    /// <summary>Each line is the record <c>{message_key: line}</c> (fluent-cat's <c>--none</c>).</summary>
    None,
}

/// <summary>
/// The arguments of <c>logagent cat TAG</c>, fluentd's fluent-cat: where to send, how to read standard input, and
/// whether to wait for an ack. Hand-parsed like <see cref="CommandLine"/>.
/// </summary>
public sealed class CatCommandLine
{
    public string Tag { get; private set; } = "";
    public string Host { get; private set; } = "127.0.0.1";
    public int Port { get; private set; } = 24224;
    public CatFormat Format { get; private set; } = CatFormat.Json;
    public string MessageKey { get; private set; } = "message";
    public bool TimeAsInteger { get; private set; }
    public bool Ack { get; private set; }
    public TimeSpan AckTimeout { get; private set; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTimeout { get; private set; } = TimeSpan.FromSeconds(10);
    public bool Help { get; private set; }

    // <security> and TLS: see Handshake and TlsClient.
    public string? SharedKey { get; private set; }
    public string? SelfHostname { get; private set; }
    public string? Username { get; private set; }
    public string? Password { get; private set; }
    public bool Tls { get; private set; }
    public string? TlsCaPath { get; private set; }
    public bool TlsInsecure { get; private set; }

    public const string Usage = """
        Usage: logagent cat TAG [options] < input
        Sends events read from standard input to a forward server (fluentd's fluent-cat).
              --host HOST          server host (default 127.0.0.1)
          -p, --port PORT          server port (default 24224)
              --format FORMAT      json (one JSON object per line, the default), msgpack (a stream of maps)
                                   or none (each line becomes {"message": line})
              --json / --msgpack / --none   the same as --format json / msgpack / none
              --message-key KEY    the key of the line with --format none (default message)
              --time-as-integer    send times as integer seconds, not EventTime with nanoseconds
              --ack, --chunk       send a chunk id with each request and wait for the server's ack;
                                   exit 1 if it does not come
              --ack-timeout SECS   how long to wait for each ack (default 30)
              --connect-timeout SECS   how long to wait for the connection (default 10)
              --shared-key KEY, --self-hostname NAME, --username USER, --password PASS
                                   the <security> handshake (not supported yet)
              --tls, --tls-ca FILE, --tls-insecure   TLS transport (not supported yet)
              --help               this text
        Exit code 0 when every event was sent (and acked with --ack); 1 on bad input, which names its line, or
        when the server cannot be reached; 2 on bad arguments.
        """;

    /// <summary>Throws <see cref="ArgumentException"/> with a message for the user on a bad argument.</summary>
    public static CatCommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new CatCommandLine();
        string? tag = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value");
            switch (arg)
            {
                case "--host": result.Host = Value(); break;
                case "-p": case "--port": result.Port = ParsePort(Value()); break;
                case "--format": result.Format = ParseFormat(Value()); break;
                case "--json": result.Format = CatFormat.Json; break;
                case "--msgpack": result.Format = CatFormat.MessagePack; break;
                case "--none": result.Format = CatFormat.None; break;
                case "--message-key": result.MessageKey = Value(); break;
                case "--time-as-integer": result.TimeAsInteger = true; break;
                case "--ack": case "--chunk": result.Ack = true; break;
                case "--ack-timeout": result.AckTimeout = ParseSeconds(arg, Value()); break;
                case "--connect-timeout": result.ConnectTimeout = ParseSeconds(arg, Value()); break;
                case "--shared-key": result.SharedKey = Value(); break;
                case "--self-hostname": result.SelfHostname = Value(); break;
                case "--username": result.Username = Value(); break;
                case "--password": result.Password = Value(); break;
                case "--tls": result.Tls = true; break;
                case "--tls-ca": result.TlsCaPath = Value(); break;
                case "--tls-insecure": result.TlsInsecure = true; break;
                case "--help": result.Help = true; break;
                default:
                    if (arg.StartsWith('-') && arg.Length > 1) throw new ArgumentException($"unknown argument '{arg}'");
                    if (tag is not null) throw new ArgumentException($"one tag only, got '{tag}' and '{arg}'");
                    tag = arg;
                    break;
            }
        }
        if (tag is null && !result.Help) throw new ArgumentException("the tag is missing: logagent cat TAG");
        if (tag is { Length: 0 }) throw new ArgumentException("the tag must not be empty");
        result.Tag = tag ?? "";
        return result;
    }

    /// <summary>The client side of the forward &lt;security&gt; handshake, when a shared key was given.</summary>
    public LogAgent.Core.Forward.ForwardClientHandshake? Handshake() =>
        SharedKey is null ? null
            : new LogAgent.Core.Forward.ForwardClientHandshake(SelfHostname ?? System.Net.Dns.GetHostName(), SharedKey, Username ?? "", Password ?? "");

    /// <summary>TLS settings when --tls (or a TLS option) was given; certificate files are read here.</summary>
    public LogAgent.Core.Forward.ForwardTlsClient? TlsClient()
    {
        if (!Tls && TlsCaPath is null && !TlsInsecure) return null;
        var trusted = TlsCaPath is null
            ? new System.Security.Cryptography.X509Certificates.X509Certificate2Collection()
            : LogAgent.Core.Forward.ForwardTls.LoadCertificates(new[] { TlsCaPath });
        return new LogAgent.Core.Forward.ForwardTlsClient(
            LogAgent.Core.Forward.ForwardTls.Protocols("TLSv1_2", null, null), null,
            insecure: TlsInsecure, verifyHostname: !TlsInsecure, allowSelfSigned: false, trusted, clientCertificate: null);
    }

    private static int ParsePort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535
            ? port
            : throw new ArgumentException($"--port must be a number from 1 to 65535, got '{value}'");

    private static CatFormat ParseFormat(string value) => value switch
    {
        "json" => CatFormat.Json,
        "msgpack" => CatFormat.MessagePack,
        "none" => CatFormat.None,
        _ => throw new ArgumentException($"--format must be json, msgpack or none, got '{value}'"),
    };

    private static TimeSpan ParseSeconds(string flag, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{flag} must be a positive number of seconds, got '{value}'");
}
