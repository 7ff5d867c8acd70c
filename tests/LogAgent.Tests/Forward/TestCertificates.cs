using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Forward;

/// <summary>
/// Certificates for the TLS tests, made with <see cref="CertificateRequest"/> and written as PEM files to a temporary
/// directory: a CA, a server certificate it signs for 127.0.0.1 and localhost (key encrypted with
/// <see cref="Passphrase"/>), one it signs for another name, a client certificate, and an unrelated second CA.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string Passphrase = "test-passphrase";

    private readonly TempDirectory _dir = new();

    public TestCertificates()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = CreateCa("LogAgent Test CA", caKey);
        Write("ca.pem", ca.ExportCertificatePem());
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = CreateCa("Some Other CA", otherKey);
        Write("other-ca.pem", other.ExportCertificatePem());

        Issue(ca, "server", "127.0.0.1", serverAuth: true, names: b => { b.AddIpAddress(IPAddress.Loopback); b.AddDnsName("localhost"); });
        Issue(ca, "wrong-name", "wrong.example", serverAuth: true, names: b => b.AddDnsName("wrong.example"));
        Issue(ca, "client", "forward-client", serverAuth: false, names: b => b.AddDnsName("forward-client"));
    }

    public string CaPath => _dir.File("ca.pem");
    public string OtherCaPath => _dir.File("other-ca.pem");
    public string CertPath(string name) => _dir.File(name + ".pem");
    public string KeyPath(string name) => _dir.File(name + ".key");

    private static X509Certificate2 CreateCa(string name, ECDsa key)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    private void Issue(X509Certificate2 ca, string file, string commonName, bool serverAuth, Action<SubjectAlternativeNameBuilder> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2") }, false));
        var san = new SubjectAlternativeNameBuilder();
        names(san);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var cert = request.Create(ca, now.AddHours(-1), now.AddDays(7), RandomNumberGenerator.GetBytes(8));
        Write(file + ".pem", cert.ExportCertificatePem());
        Write(file + ".key", key.ExportEncryptedPkcs8PrivateKeyPem(Passphrase,
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000)));
    }

    private void Write(string name, string pem) => File.WriteAllText(_dir.File(name), pem + "\n");

    public void Dispose() => _dir.Dispose();
}
