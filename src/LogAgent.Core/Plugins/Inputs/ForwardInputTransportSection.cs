using System.Security.Cryptography;
using LogAgent.Core.Forward;
using LogAgent.Sdk.Config;
using Microsoft.Extensions.Logging;

namespace LogAgent.Core.Plugins.Inputs;

/// <summary>
/// The forward input's <c>&lt;transport tls&gt;</c> (or <c>&lt;transport tcp&gt;</c>): the TLS parameters of fluentd's
/// server plugin helper (lib/fluent/plugin_helper/server.rb config_section :transport) and where the server
/// certificate comes from (cert_option.rb cert_option_server_validate!): cert_path, a CA that signs one made at
/// start (ca_cert_path), or a self-signed one made at start (insecure).
/// </summary>
public sealed class ForwardInputTransportSection : IConfigurableSection
{
    /// <summary>The section argument: tcp or tls.</summary>
    public string Protocol { get; private set; } = "tcp";

    public bool IsTls => Protocol == "tls";

    [Parameter("version", "The TLS version, when min_version and max_version are not set.", AllowedValues = new[] { "TLSv1_2", "TLSv1_3", "TLS1_2", "TLS1_3" })]
    public string Version { get; set; } = "TLSv1_2";

    [Parameter("min_version", "The oldest TLS version accepted (with max_version).", AllowedValues = new[] { "TLSv1_2", "TLSv1_3", "TLS1_2", "TLS1_3" })]
    public string? MinVersion { get; set; }

    [Parameter("max_version", "The newest TLS version accepted (with min_version).", AllowedValues = new[] { "TLSv1_2", "TLSv1_3", "TLS1_2", "TLS1_3" })]
    public string? MaxVersion { get; set; }

    [Parameter("ciphers", "Cipher suites: IANA names separated by ':' are applied on Linux; OpenSSL selector syntax keeps the system policy.")]
    public string Ciphers { get; set; } = ForwardTls.DefaultCiphers;

    [Parameter("insecure", "Without cert_path or ca_cert_path, serve a self-signed certificate generated at start.")]
    public bool Insecure { get; set; }

    [Parameter("ca_path", "CA certificates (PEM) a client certificate must chain to, with client_cert_auth.")]
    public string? CaPath { get; set; }

    [Parameter("cert_path", "The server certificate (PEM), optionally followed by its intermediate CAs.")]
    public string? CertPath { get; set; }

    [Parameter("private_key_path", "The server certificate's private key (PEM).")]
    public string? PrivateKeyPath { get; set; }

    [Parameter("private_key_passphrase", "The passphrase of an encrypted private key.", Secret = true)]
    public string? PrivateKeyPassphrase { get; set; }

    [Parameter("client_cert_auth", "Require clients to present a certificate that chains to ca_path.")]
    public bool ClientCertAuth { get; set; }

    [Parameter("ca_cert_path", "A CA certificate (PEM) that signs a server certificate generated at start.")]
    public string? CaCertPath { get; set; }

    [Parameter("ca_private_key_path", "The private key (PEM) of ca_cert_path.")]
    public string? CaPrivateKeyPath { get; set; }

    [Parameter("ca_private_key_passphrase", "The passphrase of ca_private_key_path.", Secret = true)]
    public string? CaPrivateKeyPassphrase { get; set; }

    [Parameter("generate_private_key_length", "RSA key length of a generated certificate.")]
    public int GeneratePrivateKeyLength { get; set; } = 2048;

    [Parameter("generate_cert_country", "Country of a generated certificate.")]
    public string GenerateCertCountry { get; set; } = "US";

    [Parameter("generate_cert_state", "State of a generated certificate.")]
    public string GenerateCertState { get; set; } = "CA";

    [Parameter("generate_cert_locality", "Locality of a generated certificate.")]
    public string GenerateCertLocality { get; set; } = "Mountain View";

    [Parameter("generate_cert_common_name", "Common name of a generated certificate; the host name when unset.")]
    public string? GenerateCertCommonName { get; set; }

    [Parameter("generate_cert_expiration", "How long a generated certificate is valid.", Kind = ParameterKind.Time)]
    public double GenerateCertExpiration { get; set; } = 10 * 365 * 86400;

    [Parameter("generate_cert_digest", "Signature digest of a generated certificate.", AllowedValues = new[] { "sha1", "sha256", "sha384", "sha512" })]
    public string GenerateCertDigest { get; set; } = "sha256";

    public void Configure(ConfigSection section)
    {
        Protocol = section.Argument.Trim() is { Length: > 0 } p ? p : "tcp";
        if (Protocol is not ("tcp" or "tls"))
            throw new ConfigException($"transport '{Protocol}' is not supported (tcp or tls)", section);
        if (!IsTls) return;
        try
        {
            ForwardTls.Protocols(Version, MinVersion, MaxVersion);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(e.Message, section);
        }
        // cert_option.rb cert_option_server_validate!, in its order of precedence.
        if (CertPath is not null && PrivateKeyPath is null)
            throw new ConfigException("private_key_path is required when cert_path is specified", section);
        if (CertPath is null && CaCertPath is not null && CaPrivateKeyPath is null)
            throw new ConfigException("ca_private_key_path is required when ca_cert_path is specified", section);
        if (CertPath is null && CaCertPath is null && !Insecure)
            throw new ConfigException("no valid cert options configured. specify either 'cert_path', 'ca_cert_path' or 'insecure'", section);
    }

    /// <summary>Loads or generates the server certificate and builds the TLS server; at start, as fluentd does.</summary>
    public ForwardTlsServer CreateServer(ILogger log, string hostname)
    {
        var protocols = ForwardTls.Protocols(Version, MinVersion, MaxVersion);
        var ciphers = ForwardTls.CipherPolicy(Ciphers, out var notApplied);
        if (notApplied is not null && Ciphers != ForwardTls.DefaultCiphers) log.LogWarning("forward input: {Reason}", notApplied);
        var clientCas = CaPath is null ? new System.Security.Cryptography.X509Certificates.X509Certificate2Collection() : ForwardTls.LoadCertificates(new[] { CaPath });

        if (CertPath is not null)
        {
            if (PrivateKeyPassphrase is null)
                log.LogWarning("For security reason, setting private_key_passphrase is recommended when cert_path is specified");
            var cert = ForwardTls.LoadCertificateWithKey(CertPath, PrivateKeyPath!, PrivateKeyPassphrase);
            return new ForwardTlsServer(cert, ForwardTls.Intermediates(CertPath), protocols, ciphers, ClientCertAuth, clientCas);
        }
        var options = new ForwardTls.GenerationOptions(GeneratePrivateKeyLength, GenerateCertCountry, GenerateCertState, GenerateCertLocality,
            GenerateCertCommonName ?? hostname, TimeSpan.FromSeconds(GenerateCertExpiration), new HashAlgorithmName(GenerateCertDigest.ToUpperInvariant()));
        if (CaCertPath is not null)
        {
            if (CaPrivateKeyPassphrase is null)
                log.LogWarning("For security reason, setting ca_private_key_passphrase is recommended when ca_cert_path is specified");
            using var ca = ForwardTls.LoadCertificateWithKey(CaCertPath, CaPrivateKeyPath!, CaPrivateKeyPassphrase);
            var caChain = ForwardTls.LoadCertificates(new[] { CaCertPath });
            return new ForwardTlsServer(ForwardTls.GenerateSignedBy(ca, options), caChain, protocols, ciphers, ClientCertAuth, clientCas);
        }
        log.LogWarning("insecure TLS communication server is configured (using 'insecure' mode)");
        return new ForwardTlsServer(ForwardTls.GenerateSelfSigned(options), new(), protocols, ciphers, ClientCertAuth, clientCas);
    }
}
