using LogAgent.Core.Plugins.Outputs;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Forward;

/// <summary>
/// LogAgent's forward output authenticating to LogAgent's forward input with <c>&lt;security&gt;</c>: the right
/// credentials deliver, wrong ones fail the write (so the engine retries the chunk) with the server's reason, deliver
/// nothing, and leave one log line on the server.
/// </summary>
public class ForwardSecurityRoundTripTests
{
    private const string ServerSecurity = """
        <security>
          self_hostname server-host
          shared_key s3cret
        </security>
        """;

    private const string ServerUserAuth = """
        <security>
          self_hostname server-host
          shared_key s3cret
          user_auth true
          <user>
            username alice
            password wonderland
          </user>
        </security>
        """;

    private static TestChunk Chunk()
    {
        var (_, entries, _) = ForwardOutputTests.PackedRequestOf("fd-default.bin");
        return new TestChunk("secure.tag", entries, 100);
    }

    /// <summary>A forward output with a &lt;security&gt; section and one &lt;server&gt; (extra: key=value;… for it).</summary>
    internal static ForwardOutput BuildSecured(int port, string sharedKey, string serverExtra = "", params (string Key, string Value)[] parameters)
    {
        var output = ForwardOutputTests.Build(new[] { ("127.0.0.1", port, serverExtra) },
            parameters.Append(("require_ack_response", "true")).Append(("ack_response_timeout", "10")).Append(("connect_timeout", "10")).ToArray(),
            security: new[] { ("self_hostname", "client-host"), ("shared_key", sharedKey) });
        return output;
    }

    private static Task WaitForWarningAsync(ForwardInputHarness harness, string fragment) =>
        Support.Eventually.True(() => harness.Logs.Lines.Any(l => l.Level == LogLevel.Warning && l.Message.Contains(fragment)), ForwardInputHarness.Deadline,
            () => $"no warning containing '{fragment}'; lines:\n{string.Join("\n", harness.Logs.Lines.Select(l => l.Message))}");

    [Fact]
    public async Task With_the_right_shared_key_the_chunk_is_delivered_and_acked()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerSecurity);
        await BuildSecured(harness.Port, "s3cret").WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
        Assert.All(harness.Output.Events, e => Assert.Equal("secure.tag", e.Tag));
    }

    [Fact]
    public async Task With_a_wrong_shared_key_the_write_fails_naming_the_server_and_reason_and_nothing_is_delivered()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerSecurity);
        var output = BuildSecured(harness.Port, "wrong");

        var e = await Assert.ThrowsAsync<IOException>(() => output.WriteAsync(Chunk(), CancellationToken.None));

        Assert.Contains($"127.0.0.1:{harness.Port}", e.Message);
        Assert.Contains("authentication failed: shared_key mismatch", e.Message);
        await WaitForWarningAsync(harness, "shared_key mismatch");
        var warning = Assert.Single(harness.Logs.Lines, l => l.Level >= LogLevel.Warning);
        Assert.Contains("forward handshake with 127.0.0.1:", warning.Message);
        Assert.Contains("client-host", warning.Message);
        Assert.Empty(harness.Output.Events);
    }

    [Fact]
    public async Task A_chunk_refused_for_a_wrong_key_is_delivered_by_a_retry_once_the_key_is_right()
    {
        // The engine retries a failed write with the same chunk; here the retry goes through a corrected output.
        await using var harness = await ForwardInputHarness.StartAsync(ServerSecurity);
        var chunk = Chunk();
        await Assert.ThrowsAsync<IOException>(() => BuildSecured(harness.Port, "wrong").WriteAsync(chunk, CancellationToken.None));
        Assert.Empty(harness.Output.Events);

        await BuildSecured(harness.Port, "s3cret").WriteAsync(chunk, CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
    }

    [Fact]
    public async Task A_per_server_shared_key_overrides_the_security_one()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerSecurity);
        await BuildSecured(harness.Port, "wrong", "shared_key=s3cret").WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
    }

    [Fact]
    public async Task With_user_auth_the_right_user_and_password_are_accepted()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerUserAuth);
        await BuildSecured(harness.Port, "s3cret", "username=alice;password=wonderland").WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
    }

    [Theory]
    [InlineData("username=alice;password=looking-glass")]
    [InlineData("username=bob;password=wonderland")]
    [InlineData("")]
    public async Task With_user_auth_a_wrong_user_or_password_is_refused(string credentials)
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerUserAuth);
        var e = await Assert.ThrowsAsync<IOException>(() => BuildSecured(harness.Port, "s3cret", credentials).WriteAsync(Chunk(), CancellationToken.None));
        Assert.Contains("authentication failed: username/password mismatch", e.Message);
        await WaitForWarningAsync(harness, "username/password mismatch");
        Assert.Empty(harness.Output.Events);
    }

    [Fact]
    public async Task Without_allow_anonymous_source_a_client_outside_every_client_network_is_refused()
    {
        await using var harness = await ForwardInputHarness.StartAsync("""
            <security>
              self_hostname server-host
              shared_key s3cret
              allow_anonymous_source false
              <client>
                network 10.0.0.0/8
              </client>
            </security>
            """);
        var e = await Assert.ThrowsAsync<IOException>(() => BuildSecured(harness.Port, "s3cret").WriteAsync(Chunk(), CancellationToken.None));
        Assert.Contains("anonymous source host '127.0.0.1' denied", e.Message);
        await WaitForWarningAsync(harness, "anonymous source host '127.0.0.1' denied");
        Assert.Empty(harness.Output.Events);
    }

    [Fact]
    public async Task A_matching_client_section_admits_the_client_with_its_own_shared_key_only()
    {
        await using var harness = await ForwardInputHarness.StartAsync("""
            <security>
              self_hostname server-host
              shared_key s3cret
              allow_anonymous_source false
              <client>
                network 127.0.0.0/8
                shared_key loopback-key
              </client>
            </security>
            """);
        var e = await Assert.ThrowsAsync<IOException>(() => BuildSecured(harness.Port, "s3cret").WriteAsync(Chunk(), CancellationToken.None));
        Assert.Contains("shared_key mismatch", e.Message);

        await BuildSecured(harness.Port, "loopback-key").WriteAsync(Chunk(), CancellationToken.None);
        Assert.Equal(100, harness.Output.Events.Count);
    }

    [Fact]
    public async Task A_plain_client_that_skips_the_handshake_gets_no_events_through()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerSecurity);
        var output = ForwardOutputTests.Build(harness.Port, ("require_ack_response", "true"), ("ack_response_timeout", "10"));
        // The HELO is not an ack; the server answers the request with PONG false and closes.
        var e = await Assert.ThrowsAsync<IOException>(() => output.WriteAsync(Chunk(), CancellationToken.None));
        Assert.Contains("does it require <security>?", e.Message);
        await WaitForWarningAsync(harness, "invalid ping message");
        Assert.Empty(harness.Output.Events);
    }

    [Fact]
    public async Task A_client_talking_to_a_server_with_its_own_hostname_is_refused_as_misconfigured()
    {
        await using var harness = await ForwardInputHarness.StartAsync(ServerSecurity.Replace("server-host", "client-host"));
        var e = await Assert.ThrowsAsync<IOException>(() => BuildSecured(harness.Port, "s3cret").WriteAsync(Chunk(), CancellationToken.None));
        Assert.Contains("same hostname between input and output: invalid configuration", e.Message);
    }

    [Theory]
    [InlineData("user_auth true", "<user> sections required if user_auth enabled")]
    [InlineData("allow_anonymous_source false", "<client> sections required if allow_anonymous_source disabled")]
    [InlineData("<client>\n network 10.0.0.0/8\n host 10.1.1.1\n</client>", "both of 'host' and 'network' are specified for client")]
    [InlineData("<client>\n shared_key x\n</client>", "Either of 'host' and 'network' must be specified for client")]
    [InlineData("<client>\n network 10.0.0.0/99\n</client>", "network '10.0.0.0/99' address format is invalid")]
    public void A_bad_security_section_is_a_config_error_in_fluentds_words(string extra, string message)
    {
        var e = Assert.Throws<LogAgent.Sdk.Config.ConfigException>(() => Support.EngineFixture.Build($"""
            <source>
              @type forward
              <security>
                self_hostname h
                shared_key k
                {extra}
              </security>
            </source>
            """));
        Assert.Contains(message, e.Message);
    }
}
