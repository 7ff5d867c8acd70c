using LogAgent.Core.Plugins.Outputs;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Forward;

/// <summary>
/// LogAgent's forward output to LogAgent's forward input over TLS (<c>&lt;transport tls&gt;</c> / <c>transport
/// tls</c>), with certificates made by <see cref="TestCertificates"/>: what a client must trust, the name it must see,
/// and client certificates.
/// </summary>
public class ForwardTlsTests(TestCertificates certs) : IClassFixture<TestCertificates>
{
    private string ServerTls(string extra = "", string cert = "server") => $"""
        <transport tls>
          cert_path {certs.CertPath(cert)}
          private_key_path {certs.KeyPath(cert)}
          private_key_passphrase {TestCertificates.Passphrase}
          {extra}
        </transport>
        """;

    private static TestChunk Chunk()
    {
        var (_, entries, _) = ForwardOutputTests.PackedRequestOf("fd-default.bin");
        return new TestChunk("tls.tag", entries, 100);
    }

    private static ForwardOutput Client(int port, params (string Key, string Value)[] tls) =>
        ForwardOutputTests.Build(port, tls.Prepend(("transport", "tls"))
            .Append(("require_ack_response", "true")).Append(("ack_response_timeout", "10")).Append(("connect_timeout", "10")).ToArray());

    private static Task WaitForWarningAsync(ForwardInputHarness harness, string fragment) =>
        Support.Eventually.True(() => harness.Logs.Lines.Any(l => l.Level == LogLevel.Warning && l.Message.Contains(fragment)), ForwardInputHarness.Deadline,
            () => $"no warning containing '{fragment}'; lines:\n{string.Join("\n", harness.Logs.Lines.Select(l => l.Message))}");

    [Fact]
    public async Task A_client_trusting_the_servers_CA_delivers_over_TLS()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerTls());
        await Client(harness.Port, ("tls_cert_path", certs.CaPath)).WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
        Assert.Contains(harness.Logs.Lines, l => l.Message.Contains("listening forward (TLS)"));
    }

    [Fact]
    public async Task TLS_1_3_is_used_when_both_sides_allow_it()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerTls("min_version TLSv1_3\n max_version TLSv1_3"));
        await Client(harness.Port, ("tls_cert_path", certs.CaPath), ("tls_min_version", "TLSv1_2"), ("tls_max_version", "TLSv1_3"))
            .WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
    }

    [Fact]
    public async Task A_client_trusting_another_CA_refuses_the_server()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerTls());
        var e = await Assert.ThrowsAsync<IOException>(() => Client(harness.Port, ("tls_cert_path", certs.OtherCaPath)).WriteAsync(Chunk(), CancellationToken.None));
        Assert.Contains($"TLS handshake with 127.0.0.1:{harness.Port} failed", e.Message);
        Assert.Contains("not signed by a trusted CA", e.Message);
        Assert.Empty(harness.Output.Events);
    }

    [Fact]
    public async Task A_server_certificate_for_another_name_is_refused_while_hostnames_are_verified()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerTls(cert: "wrong-name"));
        var e = await Assert.ThrowsAsync<IOException>(() => Client(harness.Port, ("tls_cert_path", certs.CaPath)).WriteAsync(Chunk(), CancellationToken.None));
        Assert.Contains("is not valid for '127.0.0.1'", e.Message);
        Assert.Empty(harness.Output.Events);
    }

    [Theory]
    [InlineData("tls_insecure_mode", "true")]
    [InlineData("tls_verify_hostname", "false")]
    public async Task A_server_certificate_for_another_name_is_accepted_without_hostname_verification(string key, string value)
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerTls(cert: "wrong-name"));
        await Client(harness.Port, ("tls_cert_path", certs.CaPath), (key, value)).WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
    }

    [Fact]
    public async Task An_insecure_server_serves_a_generated_self_signed_certificate_that_only_an_insecure_client_accepts()
    {
        await using var harness = await ForwardInputHarness.StartAsync("<transport tls>\n insecure true\n generate_cert_common_name fwd-test\n</transport>");
        Assert.Equal("C=US, S=CA, L=Mountain View, CN=fwd-test", harness.Input.Tls!.Certificate.Subject);

        var e = await Assert.ThrowsAsync<IOException>(() => Client(harness.Port).WriteAsync(Chunk(), CancellationToken.None));
        Assert.Contains("not signed by a trusted CA", e.Message);
        await Client(harness.Port, ("tls_insecure_mode", "true")).WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
    }

    [Fact]
    public async Task With_client_cert_auth_a_client_certificate_signed_by_ca_path_is_accepted()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerTls($"client_cert_auth true\n ca_path {certs.CaPath}"));
        await Client(harness.Port, ("tls_cert_path", certs.CaPath), ("tls_client_cert_path", certs.CertPath("client")),
            ("tls_client_private_key_path", certs.KeyPath("client")), ("tls_client_private_key_passphrase", TestCertificates.Passphrase))
            .WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
    }

    [Fact]
    public async Task With_client_cert_auth_a_client_without_a_certificate_is_refused()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerTls($"client_cert_auth true\n ca_path {certs.CaPath}"));
        await Assert.ThrowsAsync<IOException>(() => Client(harness.Port, ("tls_cert_path", certs.CaPath)).WriteAsync(Chunk(), CancellationToken.None));
        await WaitForWarningAsync(harness, "TLS handshake with forward client 127.0.0.1:");
        Assert.Empty(harness.Output.Events);
    }

    [Fact]
    public async Task TLS_and_security_together_deliver()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerTls() + "\n<security>\n self_hostname server-host\n shared_key s3cret\n</security>");
        var output = ForwardOutputTests.Build(new[] { ("127.0.0.1", harness.Port, "") },
            new[] { ("transport", "tls"), ("tls_cert_path", certs.CaPath), ("require_ack_response", "true"), ("ack_response_timeout", "10") },
            security: new[] { ("self_hostname", "client-host"), ("shared_key", "s3cret") });
        await output.WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
    }

    [Fact]
    public async Task A_plain_client_gets_nothing_through_a_TLS_server()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerTls());
        var output = ForwardOutputTests.Build(harness.Port, ("require_ack_response", "true"), ("ack_response_timeout", "3"));
        await Assert.ThrowsAnyAsync<Exception>(() => output.WriteAsync(Chunk(), CancellationToken.None));
        await WaitForWarningAsync(harness, "TLS handshake with forward client");
        Assert.Empty(harness.Output.Events);
    }

    [Theory]
    [InlineData("", "no valid cert options configured. specify either 'cert_path', 'ca_cert_path' or 'insecure'")]
    [InlineData("cert_path /nonexistent.pem", "private_key_path is required when cert_path is specified")]
    [InlineData("min_version TLSv1_2", "When you set min_version, must set max_version together")]
    public void A_bad_transport_tls_section_is_a_config_error(string body, string message)
    {
        var e = Assert.Throws<LogAgent.Sdk.Config.ConfigException>(() => Support.EngineFixture.Build($"<source>\n @type forward\n <transport tls>\n {body}\n </transport>\n</source>"));
        Assert.Contains(message, e.Message);
    }
}
