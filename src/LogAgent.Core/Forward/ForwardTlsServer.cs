using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace LogAgent.Core.Forward;

/// <summary>
/// The TLS side of the forward input (<c>&lt;transport tls&gt;</c>, fluentd lib/fluent/plugin_helper/server.rb and
/// cert_option.rb): wraps each accepted connection in an <see cref="SslStream"/> before any forward byte. With
/// client_cert_auth the client must present a certificate that chains to ca_path (or the system's roots).
/// </summary>
public sealed class ForwardTlsServer
{
    private readonly SslServerAuthenticationOptions _options;
    private readonly bool _clientCertAuth;
    private readonly X509Certificate2Collection _clientCas;

    public ForwardTlsServer(X509Certificate2 certificate, X509Certificate2Collection intermediates, SslProtocols protocols,
        CipherSuitesPolicy? ciphers, bool clientCertAuth, X509Certificate2Collection clientCas)
    {
        Certificate = certificate;
        _clientCertAuth = clientCertAuth;
        _clientCas = clientCas;
        _options = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, intermediates),
            EnabledSslProtocols = protocols,
            ClientCertificateRequired = clientCertAuth,
            RemoteCertificateValidationCallback = ValidateClient,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (ciphers is not null && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) _options.CipherSuitesPolicy = ciphers;
    }

    /// <summary>The certificate the server presents (generated at start with <c>insecure</c>).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Runs the TLS handshake on an accepted connection; throws <see cref="AuthenticationException"/> or <see cref="IOException"/>.</summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsServerAsync(_options, cancellationToken);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    // cert_option.rb: client_cert_auth sets VERIFY_PEER | VERIFY_FAIL_IF_NO_PEER_CERT with ca_file = ca_path.
    // Without it a client certificate is not asked for, and one sent anyway is not judged.
    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!_clientCertAuth) return true;
        if (certificate is null) return false;
        if (_clientCas.Count > 0) return ForwardTls.ChainsTo(certificate, chain, _clientCas);
        return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
    }
}
