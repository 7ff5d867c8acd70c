using LogAgent.Cat;

namespace LogAgent.Tests.Cat;

/// <summary>The argument parsing of <c>logagent cat</c>, in process.</summary>
public class CatCommandLineTests
{
    [Fact]
    public void Defaults_are_fluent_cats()
    {
        var options = CatCommandLine.Parse(new[] { "my.tag" });
        Assert.Equal(("my.tag", "127.0.0.1", 24224, CatFormat.Json, "message", false, false),
            (options.Tag, options.Host, options.Port, options.Format, options.MessageKey, options.TimeAsInteger, options.Ack));
        Assert.Null(options.Handshake());
        Assert.Null(options.TlsClient());
    }

    [Fact]
    public void Every_flag_is_read()
    {
        var options = CatCommandLine.Parse(new[]
        {
            "--host", "logs.example", "-p", "24225", "--msgpack", "--message-key", "m", "--time-as-integer", "--chunk",
            "--ack-timeout", "2.5", "t", "--shared-key", "k", "--self-hostname", "me", "--username", "u", "--password", "p",
            "--tls", "--tls-ca", "ca.pem", "--tls-insecure",
        });
        Assert.Equal(("t", "logs.example", 24225, CatFormat.MessagePack, "m", true, true, TimeSpan.FromSeconds(2.5)),
            (options.Tag, options.Host, options.Port, options.Format, options.MessageKey, options.TimeAsInteger, options.Ack, options.AckTimeout));
        Assert.Equal(("k", "me", "u", "p", true, "ca.pem", true),
            (options.SharedKey, options.SelfHostname, options.Username, options.Password, options.Tls, options.TlsCaPath, options.TlsInsecure));
        Assert.NotNull(options.Handshake());
    }

    [Theory]
    [InlineData("the tag is missing")]
    [InlineData("one tag only, got 'a' and 'b'", "a", "b")]
    [InlineData("--port must be a number from 1 to 65535, got '0'", "t", "--port", "0")]
    [InlineData("--format must be json, msgpack or none, got 'xml'", "t", "--format", "xml")]
    [InlineData("--host needs a value", "t", "--host")]
    [InlineData("unknown argument '--nope'", "t", "--nope")]
    public void Bad_arguments_are_refused_saying_why(string message, params string[] args)
    {
        var e = Assert.Throws<ArgumentException>(() => CatCommandLine.Parse(args));
        Assert.Contains(message, e.Message);
    }
}
