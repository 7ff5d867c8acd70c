using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace LogAgent.Core.Forward;

/// <summary>
/// The TLS side of the forward output (<c>transport tls</c>, fluentd lib/fluent/plugin_helper/socket.rb
/// socket_create_tls): the server's certificate must chain to the system's roots or to a CA in tls_cert_path and,
/// with tls_verify_hostname, name the host connected to. tls_insecure_mode skips both checks.
/// </summary>
public sealed class ForwardTlsClient
{
    private readonly SslProtocols _protocols;
    private readonly CipherSuitesPolicy? _ciphers;
    private readonly bool _insecure;
    private readonly bool _verifyHostname;
    private readonly bool _allowSelfSigned;
    private readonly X509Certificate2Collection _trusted;
    private readonly X509Certificate2? _clientCertificate;

    public ForwardTlsClient(SslProtocols protocols, CipherSuitesPolicy? ciphers, bool insecure, bool verifyHostname,
        bool allowSelfSigned, X509Certificate2Collection trusted, X509Certificate2? clientCertificate)
    {
        _protocols = protocols;
        _ciphers = ciphers;
        _insecure = insecure;
        _verifyHostname = verifyHostname;
        _allowSelfSigned = allowSelfSigned;
        _trusted = trusted;
        _clientCertificate = clientCertificate;
    }

    /// <summary>
    /// Runs the TLS handshake with <paramref name="host"/>. A refused handshake becomes an <see cref="IOException"/>
    /// naming the server, so the output treats it as the server being unavailable and the chunk is retried.
    /// </summary>
    public async Task<SslStream> AuthenticateAsync(Stream inner, string host, int port, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        string? refusal = null;
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = _protocols,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => ValidateServer(certificate, chain, errors, host, out refusal),
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (_clientCertificate is not null) options.ClientCertificates = new X509CertificateCollection { _clientCertificate };
        if (_ciphers is not null && (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) options.CipherSuitesPolicy = _ciphers;
        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellationToken);
            return ssl;
        }
        catch (AuthenticationException e)
        {
            await ssl.DisposeAsync();
            throw new IOException($"TLS handshake with {host}:{port} failed: {refusal ?? Describe(e)}", e);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    private static string Describe(Exception e) => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;

    private bool ValidateServer(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, string host, out string? refusal)
    {
        refusal = null;
        if (_insecure) return true;
        if (certificate is null)
        {
            refusal = "the server sent no certificate";
            return false;
        }
        if (!_verifyHostname) errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            // tls_cert_path adds CAs to the system's store (socket.rb: cert_store.set_default_paths, then add_file).
            var roots = new X509Certificate2Collection(_trusted);
            // tls_allow_self_signed_cert: a certificate that is its own issuer is accepted as its own root.
            if (_allowSelfSigned && certificate.Subject == certificate.Issuer) roots.Add(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
            if (roots.Count > 0 && ForwardTls.ChainsTo(certificate, chain, roots)) errors &= ~SslPolicyErrors.RemoteCertificateChainErrors;
        }
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            refusal = $"the server certificate ({certificate.Subject}) is not signed by a trusted CA (tls_cert_path)";
        else if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            refusal = $"the server certificate ({certificate.Subject}) is not valid for '{host}' (tls_verify_hostname)";
        return errors == SslPolicyErrors.None;
    }
}
