using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LogAgent.Core.Forward;

/// <summary>
/// What the TLS server and client of the forward plugins share: fluentd's version names, PEM loading, chain checks
/// against configured CAs, cipher lists, and the certificates fluentd generates itself
/// (lib/fluent/tls.rb, lib/fluent/plugin_helper/cert_option.rb).
/// </summary>
public static class ForwardTls
{
    /// <summary>fluentd's Fluent::TLS::SUPPORTED_VERSIONS, minus TLS 1.1, which .NET no longer offers.</summary>
    public static readonly string[] VersionNames = { "TLSv1_2", "TLSv1_3", "TLS1_2", "TLS1_3" };

    /// <summary>
    /// The protocols to enable. fluentd (tls.rb set_version_to_context): without min/max the one version given
    /// (default TLSv1_2) is both minimum and maximum; min and max must be given together.
    /// </summary>
    public static SslProtocols Protocols(string version, string? min, string? max)
    {
        if (min is null != max is null)
            throw new ArgumentException(min is null ? "When you set max_version, must set min_version together" : "When you set min_version, must set max_version together");
        int lo = VersionNumber(min ?? version), hi = VersionNumber(max ?? version);
        if (lo > hi) throw new ArgumentException($"min_version {min} is newer than max_version {max}");
        var protocols = SslProtocols.None;
        if (lo <= 2 && hi >= 2) protocols |= SslProtocols.Tls12;
        if (lo <= 3 && hi >= 3) protocols |= SslProtocols.Tls13;
        return protocols;
    }

    private static int VersionNumber(string name) => name.Replace("v", "", StringComparison.Ordinal) switch
    {
        "TLS1_2" or "TLS1.2" => 2,
        "TLS1_3" or "TLS1.3" => 3,
        "TLS1_1" or "TLS1.1" or "TLS1" => throw new ArgumentException($"TLS version {name} is not supported (only TLSv1_2 and TLSv1_3)"),
        _ => throw new ArgumentException($"unknown TLS version '{name}' (use TLSv1_2 or TLSv1_3)"),
    };

    /// <summary>
    /// A cipher policy when <paramref name="ciphers"/> lists IANA suite names (TLS_AES_128_GCM_SHA256:…) and the
    /// platform lets .NET restrict suites (Linux, via OpenSSL). null keeps the system's policy: fluentd's default
    /// "ALL:!aNULL:!eNULL:!SSLv2" is OpenSSL selector syntax, which .NET cannot apply, and the system policy already
    /// excludes those suites.
    /// </summary>
    public static CipherSuitesPolicy? CipherPolicy(string? ciphers, out string? notApplied)
    {
        notApplied = null;
        if (string.IsNullOrWhiteSpace(ciphers) || ciphers == DefaultCiphers) return null;
        var suites = new List<TlsCipherSuite>();
        foreach (var name in ciphers.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<TlsCipherSuite>(name, ignoreCase: false, out var suite) || int.TryParse(name, out _))
            {
                notApplied = $"ciphers '{ciphers}' are not IANA suite names; the system's cipher policy is used";
                return null;
            }
            suites.Add(suite);
        }
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) return new CipherSuitesPolicy(suites);
        notApplied = "this platform does not let an application choose cipher suites; the system's cipher policy is used";
        return null;
    }

    /// <summary>fluentd's Fluent::TLS::CIPHERS_DEFAULT.</summary>
    public const string DefaultCiphers = "ALL:!aNULL:!eNULL:!SSLv2";

    /// <summary>Every certificate in PEM files (a CA bundle may hold several).</summary>
    public static X509Certificate2Collection LoadCertificates(IEnumerable<string> paths)
    {
        var all = new X509Certificate2Collection();
        foreach (var path in paths)
        {
            var certs = new X509Certificate2Collection();
            certs.ImportFromPemFile(path);
            if (certs.Count == 0) throw new CryptographicException($"{path} holds no PEM certificate");
            all.AddRange(certs);
        }
        return all;
    }

    /// <summary>A certificate with its private key from PEM files; the key may be encrypted with a passphrase.</summary>
    public static X509Certificate2 LoadCertificateWithKey(string certPath, string keyPath, string? passphrase) =>
        Usable(passphrase is null
            ? X509Certificate2.CreateFromPemFile(certPath, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(certPath, passphrase, keyPath));

    /// <summary>The certificates after the first in a PEM file: the chain to send along with the leaf.</summary>
    public static X509Certificate2Collection Intermediates(string certPath)
    {
        var certs = new X509Certificate2Collection();
        certs.ImportFromPemFile(certPath);
        var rest = new X509Certificate2Collection();
        for (int i = 1; i < certs.Count; i++) rest.Add(certs[i]);
        return rest;
    }

    /// <summary>True when <paramref name="certificate"/> chains to one of <paramref name="roots"/> (and only those).</summary>
    public static bool ChainsTo(X509Certificate certificate, X509Chain? presented, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // Revocation lists are not configured in fluentd's forward TLS either.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
    }

    /// <summary>Settings for a certificate fluentd makes itself (cert_option.rb cert_option_cert_generation_opts_from_conf).</summary>
    public sealed record GenerationOptions(int KeyLength, string Country, string State, string Locality, string CommonName, TimeSpan Expiration, HashAlgorithmName Digest);

    /// <summary>
    /// A self-signed server certificate made at start (cert_option.rb cert_option_generate_server_pair_self_signed,
    /// used by <c>insecure true</c>). Clients can only use it without verification.
    /// </summary>
    public static X509Certificate2 GenerateSelfSigned(GenerationOptions options)
    {
        using var key = RSA.Create(options.KeyLength);
        var request = ServerRequest(options, key);
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now + options.Expiration);
        return Usable(cert);
    }

    /// <summary>A server certificate made at start and signed by a configured CA (cert_option_generate_server_pair_by_ca).</summary>
    public static X509Certificate2 GenerateSignedBy(X509Certificate2 ca, GenerationOptions options)
    {
        using var key = RSA.Create(options.KeyLength);
        var request = ServerRequest(options, key);
        var now = DateTimeOffset.UtcNow;
        var notAfter = now + options.Expiration;
        if (notAfter > ca.NotAfter) notAfter = ca.NotAfter;
        using var signed = request.Create(ca, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(key);
        return Usable(withKey);
    }

    private static CertificateRequest ServerRequest(GenerationOptions options, RSA key)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion(options.Country);
        subject.AddStateOrProvinceName(options.State);
        subject.AddLocalityName(options.Locality);
        subject.AddCommonName(options.CommonName);
        var request = new CertificateRequest(subject.Build(), key, options.Digest, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new("1.3.6.1.5.5.7.3.1") }, false));
        return request;
    }

    // A key made in memory or read from PEM is ephemeral; a PKCS#12 round trip gives a certificate every platform's
    // TLS stack can use as a server or client credential.
    private static X509Certificate2 Usable(X509Certificate2 cert)
    {
        using (cert)
            return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }
}
