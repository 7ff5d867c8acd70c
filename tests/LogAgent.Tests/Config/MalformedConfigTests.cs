using LogAgent.Core.Config;
using LogAgent.Sdk.Config;

namespace LogAgent.Tests.Config;

/// <summary>
/// The configs under Configs/malformed/: each must fail with a <see cref="ConfigException"/> naming the file and the
/// line fluentd names (or, where fluentd's position drifts past the culprit, the culprit's line — noted per case).
/// </summary>
public class MalformedConfigTests
{
    private static readonly ConfigLoadOptions Options = new()
    {
        GetEnvironmentVariable = _ => null,
        GetHostName = () => "test-host",
    };

    [Theory]
    // The close tag's own line (fluentd would name line 8, the blank line its line-end match swallowed).
    [InlineData("01-mismatched-close.conf", 7, "</filter> closes <match> opened at line 5")]
    // At the end of the file, as fluentd; the message names the unclosed element.
    [InlineData("02-unclosed-at-eof.conf", 9, "expected end tag '</match>'")]
    // A double-quoted value runs on over lines until a line break it cannot take (here the blank line after line 4).
    [InlineData("03-unterminated-double-quote.conf", 4, "opened at line 3")]
    [InlineData("04-unterminated-single-quote.conf", 3, "single quoted string")]
    // The line the JSON value starts on (fluentd reads to the end of the file and names the last line).
    [InlineData("05-incomplete-json.conf", 4, "incomplete JSON array")]
    [InlineData("06-unsupported-ruby.conf", 3, "\"#{`whoami`}\" is not supported")]
    [InlineData("07-fetch-unset-variable.conf", 4, "key not found: \"LOGAGENT_TEST_UNSET_HOST\"")]
    [InlineData("08-close-without-open.conf", 4, "</match> has no opening tag")]
    [InlineData("09-text-after-tag.conf", 4, "expected end of line after tag")]
    [InlineData("10-unknown-escape.conf", 3, "unexpected back-slash escape character 'z'")]
    [InlineData("11-missing-include.conf", 5, "no-such-file.conf")]
    [InlineData("13-remote-include.conf", 1, "remote includes are not supported")]
    [InlineData("14-reserved-prefix.conf", 3, "'@' is the system reserved prefix")]
    [InlineData("15-text-after-value.conf", 3, "expected end of line")]
    [InlineData("18-unknown-directive.yaml", 4, "unknown directive 'souce'")]
    [InlineData("19-yaml-unsupported-ruby.yaml", 5, "\"#{Dir.pwd}\" is not supported")]
    [InlineData("20-ruby-type-error.conf", 3, "undefined method '+' for nil")]
    public void FailsNamingFileAndLine(string file, int line, string says)
    {
        var path = TestPaths.Malformed(file);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path, Options));
        Assert.Equal(path, e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains(says, e.Message);
        Assert.StartsWith($"{path}:{line}: ", e.Message);
    }

    [Fact]
    public void AnIncludeCycleIsReportedAtTheIncludeThatClosesIt()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(TestPaths.Malformed("12-cycle-a.conf"), Options));
        Assert.EndsWith("12-cycle-b.conf.inc", e.File);
        Assert.Equal(3, e.Line);
        Assert.Contains("include cycle (12-cycle-a.conf -> 12-cycle-b.conf.inc -> 12-cycle-a.conf)", e.Message);
    }

    [Fact]
    public void AnErrorInAnIncludedFileNamesThatFile()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(TestPaths.Malformed("16-error-in-include.conf"), Options));
        Assert.EndsWith("16-broken.conf.inc", e.File);
        Assert.Equal(4, e.Line);
        Assert.Contains("IO.read", e.Message);
    }

    [Fact]
    public void InvalidYamlNamesTheLineTheYamlParserStoppedAt()
    {
        var path = TestPaths.Malformed("17-bad-indent.yaml");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path, Options));
        Assert.Equal(path, e.File);
        Assert.Equal(4, e.Line);
        Assert.Contains("invalid YAML", e.Message);
    }

    [Fact]
    public void Corpus072IsReportedAtLine8AsFluentdDoes()
    {
        var path = Path.Combine(TestPaths.Corpus, "bad", "072-docs-forward-sd-mismatched-close.conf");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(path));
        Assert.Equal(8, e.Line);
        Assert.Contains("</source> closes <match> opened at line 1", e.Message);
    }
}
