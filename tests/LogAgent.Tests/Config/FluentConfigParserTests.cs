using LogAgent.Core.Config;
using LogAgent.Sdk.Config;

namespace LogAgent.Tests.Config;

/// <summary>Small, exact cases of fluentd's scanner rules (lib/fluent/config/{v1,literal,basic}_parser.rb).</summary>
public class FluentConfigParserTests
{
    private static readonly ConfigLoadOptions Options = new() { GetEnvironmentVariable = _ => null, GetHostName = () => "h" };

    private static ConfigSection Parse(string text) => ConfigLoader.Parse(text, "inline.conf", ".", Options);

    private static string ValueOf(string line) => ConfigAssert.Value(ConfigAssert.Single(Parse($"<s>\n{line}\n</s>\n"), "s"), "k");

    private static ConfigException ErrorOf(string text) => Assert.Throws<ConfigException>(() => Parse(text));

    [Theory]
    [InlineData("k \"\\0\"", "\0")]
    [InlineData("k \"\\$t\"", "$t")]
    [InlineData("k \"a\\\\\"", "a\\")]
    [InlineData("k \"#{}\"", "")]
    [InlineData("k \"#{\"}\"}\"", "}")]
    [InlineData("k #comment-looking", "#comment-looking")] // only " #" after a value starts a comment
    [InlineData("k # this too", "# this too")] // fluentd: the value starts at the first non-blank
    [InlineData("k [1, 2] # comment", "[1,2]")]
    [InlineData("k {\"a\": \"#{not ruby}\"}", "{\"a\":\"#{not ruby}\"}")]
    public void Values(string line, string expected) => Assert.Equal(expected, ValueOf(line));

    [Fact]
    public void ARepeatedKeyKeepsTheLastValue()
    {
        var s = ConfigAssert.Single(Parse("<s>\n k 1\n k 2\n</s>\n"), "s");
        Assert.Equal("2", ConfigAssert.Value(s, "k"));
        Assert.Equal(3, s.Find("k")!.Line);
    }

    [Fact]
    public void TopLevelParametersBelongToRoot() =>
        Assert.Equal("v", ConfigAssert.Value(Parse("k v\n<match **>\n</match>\n"), "k"));

    [Fact]
    public void IncludeWithoutAtInsideASectionIsAnOrdinaryParameter() =>
        Assert.Equal("x.conf", ConfigAssert.Value(ConfigAssert.Single(Parse("<s>\n include x.conf\n</s>\n"), "s"), "include"));

    [Fact]
    public void ReservedAtParametersAreAllowedInNestedSections() =>
        Assert.Equal("v", ConfigAssert.Value(ConfigAssert.Single(ConfigAssert.Single(Parse("<match **>\n <buffer>\n  @custom v\n </buffer>\n</match>\n"), "match"), "buffer"), "@custom"));

    [Fact]
    public void ANewlineInsideADoubleQuotedValueAfterCrIsAnError()
    {
        // fluentd keeps "\r" with the character before it and then cannot take the "\n" (literal_parser.rb).
        var e = ErrorOf("<s>\r\n k \"a\r\nb\"\r\n</s>\r\n");
        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void AnEscapeRightBeforeALineBreakCannotContinueTheString() =>
        Assert.Equal(2, ErrorOf("<s>\n k \"a\\\\\nb\"\n</s>\n").Line);

    [Fact]
    public void TrailingCommaInJsonIsAnErrorAtTheValuesLine()
    {
        var e = ErrorOf("<s>\n k [1, 2,]\n</s>\n<t>\n</t>\n");
        Assert.Equal(2, e.Line);
        Assert.Contains("incomplete JSON array", e.Message);
    }

    [Fact]
    public void AnEmptyFileIsAnEmptyRoot()
    {
        var root = Parse("");
        Assert.Equal("ROOT", root.Name);
        Assert.Empty(root.Sections);
        Assert.Empty(root.Parameters);
    }

    [Fact]
    public void TextAfterACloseTagIsAnError()
    {
        var e = ErrorOf("<s>\n</s> junk\n");
        Assert.Equal(2, e.Line);
        Assert.Contains("expected end of line after end tag", e.Message);
    }

    [Fact]
    public void AMissingIncludeCanBeIgnoredAsFluentdDoes()
    {
        var lenient = new ConfigLoadOptions { MissingIncludeIsError = false };
        var root = ConfigLoader.Parse("@include nowhere.conf\n<match **>\n</match>\n", "inline.conf", ".", lenient);
        Assert.Single(root.Sections);
    }
}
