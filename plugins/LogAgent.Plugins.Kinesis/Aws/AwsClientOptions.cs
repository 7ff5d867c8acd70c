using Amazon;

namespace LogAgent.Plugins.Kinesis.Aws;

/// <summary>
/// Where and how an output's API client connects: the parameters aws-fluent-plugin-kinesis v3 passes to its AWS
/// client (kinesis_helper/client.rb: <c>region</c>, <c>endpoint</c>, <c>http_proxy</c>, <c>ssl_verify_peer</c>), and the
/// timeouts, whose defaults are aws-sdk-ruby's (http_open_timeout 15 s, http_read_timeout 60 s).
/// </summary>
public sealed record AwsClientOptions
{
    /// <summary>The region requests are signed for and, without <see cref="Endpoint"/>, sent to.</summary>
    public required string Region { get; init; }

    /// <summary>A custom endpoint (a VPC endpoint, kinesalite, a test stand-in); null: the region's public endpoint.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>An HTTP proxy for every request; null: the system's (HTTPS_PROXY / HTTP_PROXY / NO_PROXY).</summary>
    public Uri? HttpProxy { get; init; }

    /// <summary>False accepts any TLS certificate (fluent-plugin-kinesis's ssl_verify_peer false) — for test endpoints only.</summary>
    public bool SslVerifyPeer { get; init; } = true;

    /// <summary>Time to open a connection (TCP and TLS).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Time for one whole request: sending it and reading the complete response.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The endpoint requests go to: <see cref="Endpoint"/>, else https://SERVICE.REGION.DNS-SUFFIX/ (e.g.
    /// kinesis.us-east-1.amazonaws.com, firehose.cn-north-1.amazonaws.com.cn).</summary>
    public Uri EndpointFor(string endpointPrefix) =>
        Endpoint ?? new Uri($"https://{endpointPrefix}.{Region}.{RegionEndpoint.GetBySystemName(Region).PartitionDnsSuffix}/");

    /// <summary>The region given, else <c>AWS_REGION</c>, else <c>AWS_DEFAULT_REGION</c> (where aws-sdk-ruby looks first
    /// when a client names none); null when none is set.</summary>
    public static string? RegionFromConfigOrEnvironment(string? configured) =>
        !string.IsNullOrEmpty(configured) ? configured
        : Environment.GetEnvironmentVariable("AWS_REGION") is { Length: > 0 } region ? region
        : Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") is { Length: > 0 } fallback ? fallback
        : null;
}
