namespace LogAgent.Core.Forward;

/// <summary>Size limits of one forward connection.</summary>
public sealed record ForwardConnectionLimits
{
    /// <summary>
    /// The most bytes a connection may hold while a request is incomplete, so one sender cannot exhaust memory. A
    /// request larger than this closes the connection.
    /// </summary>
    public long MaxRequestBytes { get; init; } = DefaultMaxRequestBytes;

    /// <summary>in_forward's chunk_size_limit: a complete request larger than this is dropped with a warning, not acked.</summary>
    public long? ChunkSizeLimit { get; init; }

    /// <summary>in_forward's chunk_size_warn_limit: a request larger than this is accepted with a warning.</summary>
    public long? ChunkSizeWarnLimit { get; init; }

    /// <summary>
    /// How long the rest of a begun request may take to arrive. A sender trickling bytes (slow loris) or announcing a
    /// length it never sends would otherwise hold the connection, and the bytes it sent, for ever. 60 s is
    /// out_forward's default send_timeout: a fluentd sender has given up on a request by then.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(60);

    /// <summary>fluentd's deny_keepalive: close the connection after each request (and its ack).</summary>
    public bool DenyKeepalive { get; init; }

    /// <summary>
    /// Without chunk_size_limit fluentd sets no bound. 256 MiB is fluentd's largest default chunk (file buffer's
    /// chunk_limit_size), so a fluentd sender with default settings always fits.
    /// </summary>
    public const long DefaultMaxRequestBytes = 256L * 1024 * 1024;
}
