using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LogAgent.Core.Forward;
using LogAgent.Sdk.Config;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Outputs;

/// <summary>
/// How the forward output sets up a connection: plain TCP or TLS (fluentd out_forward.rb's transport and tls_*
/// parameters, lib/fluent/plugin_helper/socket.rb), then with <c>&lt;security&gt;</c> the HELO/PING/PONG handshake
/// (out_forward/handshake_protocol.rb) before the first event. Certificates are read at configuration, so a wrong
/// path is a configuration error rather than a retried write.
/// </summary>
public sealed partial class ForwardOutput
{
    private readonly Dictionary<ForwardNode, ForwardClientHandshake> _handshakes = new();
    private ForwardTlsClient? _tls;

    [Section("security", "Authenticate to the servers with a shared key (HELO/PING/PONG).")]
    public ForwardOutputSecuritySection? Security { get; set; }

    [Parameter("transport", "tcp, or tls to encrypt connections.", AllowedValues = new[] { "tcp", "tls" })]
    public string Transport { get; set; } = "tcp";

    [Parameter("tls_version", "The TLS version, when tls_min_version and tls_max_version are not set.", AllowedValues = new[] { "TLSv1_2", "TLSv1_3", "TLS1_2", "TLS1_3" })]
    public string TlsVersion { get; set; } = "TLSv1_2";

    [Parameter("tls_min_version", "The oldest TLS version to use (with tls_max_version).", AllowedValues = new[] { "TLSv1_2", "TLSv1_3", "TLS1_2", "TLS1_3" })]
    public string? TlsMinVersion { get; set; }

    [Parameter("tls_max_version", "The newest TLS version to use (with tls_min_version).", AllowedValues = new[] { "TLSv1_2", "TLSv1_3", "TLS1_2", "TLS1_3" })]
    public string? TlsMaxVersion { get; set; }

    [Parameter("tls_ciphers", "Cipher suites: IANA names separated by ':' are applied on Linux; OpenSSL selector syntax keeps the system policy.")]
    public string TlsCiphers { get; set; } = ForwardTls.DefaultCiphers;

    [Parameter("tls_insecure_mode", "Skip verifying the server's certificate (chain and name).")]
    public bool TlsInsecureMode { get; set; }

    [Parameter("tls_allow_self_signed_cert", "Accept a server certificate that is self-signed.")]
    public bool TlsAllowSelfSignedCert { get; set; }

    [Parameter("tls_verify_hostname", "Check that the server's certificate names the host connected to.")]
    public bool TlsVerifyHostname { get; set; } = true;

    [Parameter("tls_cert_path", "CA certificate files (PEM) to trust in addition to the system's.")]
    public List<string>? TlsCertPath { get; set; }

    [Parameter("tls_client_cert_path", "A client certificate (PEM) for servers with client_cert_auth.")]
    public string? TlsClientCertPath { get; set; }

    [Parameter("tls_client_private_key_path", "The client certificate's private key (PEM).")]
    public string? TlsClientPrivateKeyPath { get; set; }

    [Parameter("tls_client_private_key_passphrase", "The passphrase of an encrypted client private key.", Secret = true)]
    public string? TlsClientPrivateKeyPassphrase { get; set; }

    private void ConfigureConnections(ConfigSection config)
    {
        if (Security is { } security)
        {
            // out_forward.rb: a <server>'s shared_key, username and password win over the <security> ones.
            foreach (var (node, server) in _nodes.Zip(Servers))
                _handshakes[node] = new ForwardClientHandshake(security.SelfHostname, server.SharedKey ?? security.SharedKey,
                    server.Username ?? security.Username, server.Password ?? security.Password);
        }
        if (Transport != "tls") return;

        ConfigParameter Where(string key) => config.Find(key) ?? new ConfigParameter(key, "", config.File, config.Line);
        System.Security.Authentication.SslProtocols protocols;
        try
        {
            protocols = ForwardTls.Protocols(TlsVersion, TlsMinVersion, TlsMaxVersion);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message, config);
        }
        var ciphers = ForwardTls.CipherPolicy(TlsCiphers, out var notApplied);
        if (notApplied is not null && TlsCiphers != ForwardTls.DefaultCiphers) Log.LogWarning("forward output: {Reason}", notApplied);
        if (TlsInsecureMode) Log.LogWarning("TLS transport is configured in insecure way");

        var trusted = new X509Certificate2Collection();
        if (TlsCertPath is { Count: > 0 } paths)
        {
            try
            {
                trusted = ForwardTls.LoadCertificates(paths);
            }
            catch (Exception e) when (e is CryptographicException or IOException)
            {
                throw new ConfigException($"tls_cert_path: {e.Message}", Where("tls_cert_path"));
            }
        }
        X509Certificate2? clientCertificate = null;
        if (TlsClientCertPath is not null)
        {
            if (TlsClientPrivateKeyPath is null)
                throw new ConfigException("tls_client_private_key_path is required when tls_client_cert_path is specified", Where("tls_client_cert_path"));
            try
            {
                clientCertificate = ForwardTls.LoadCertificateWithKey(TlsClientCertPath, TlsClientPrivateKeyPath, TlsClientPrivateKeyPassphrase);
            }
            catch (Exception e) when (e is CryptographicException or IOException)
            {
                throw new ConfigException($"tls_client_cert_path: {e.Message}", Where("tls_client_cert_path"));
            }
        }
        _tls = new ForwardTlsClient(protocols, ciphers, TlsInsecureMode, TlsVerifyHostname, TlsAllowSelfSignedCert, trusted, clientCertificate);
    }

    private Task<ForwardSender> ConnectAsync(ForwardNode node, CancellationToken cancellationToken) =>
        ConnectAsync(node, _tls is null ? node.Resolve(Now()) : null, cancellationToken);

    // With TLS the connection goes to the configured host name, which the certificate is checked against; without it
    // to the address the node's DNS cache (expire_dns_cache, dns_round_robin) chose.
    private Task<ForwardSender> ConnectAsync(ForwardNode node, System.Net.IPAddress? address, CancellationToken cancellationToken) =>
        ForwardSender.ConnectAsync(_tls is null && address is not null ? address.ToString() : node.Host, node.Port, ConnectTimeoutSpan,
            cancellationToken, _tls, _handshakes.GetValueOrDefault(node));
}
