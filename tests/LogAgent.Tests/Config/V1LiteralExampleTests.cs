using LogAgent.Core.Config;
using LogAgent.Sdk.Config;

namespace LogAgent.Tests.Config;

/// <summary>
/// fluentd's own literal reference, example/v1_literal_example.conf (corpus 011): each line's comment states the value
/// fluentd reads. Line 22, <c>key9 "#{test}"</c>, runs Ruby's Kernel#test and fails; the other values are checked on
/// the same text with only that line's Ruby replaced, so every other line keeps its number.
/// </summary>
public class V1LiteralExampleTests
{
    private static readonly string CorpusFile = Path.Combine(TestPaths.Corpus, "011-fluentd-ex-v1-literals.conf");

    private static ConfigSection ParseWithoutLine22Ruby()
    {
        var lines = File.ReadAllLines(CorpusFile);
        Assert.Contains("\"#{test}\"", lines[21]);
        lines[21] = lines[21].Replace("\"#{test}\"", "\"#{'evaluated'}\"");
        return ConfigLoader.Parse(string.Join("\n", lines) + "\n", "011.conf", TestPaths.Corpus);
    }

    [Fact]
    public void TheFileAsPublishedFailsAtLine22QuotingTheRuby()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.LoadFile(CorpusFile));
        Assert.Equal(22, e.Line);
        Assert.Equal(CorpusFile, e.File);
        Assert.Contains("\"#{test}\"", e.Message);
        Assert.Contains("not supported", e.Message);
    }

    [Theory]
    [InlineData("key1", "text")]
    [InlineData("key2", "'")]
    [InlineData("key3", "\\")]
    [InlineData("key4", "\\t")]
    [InlineData("key5", "\\[")]
    [InlineData("key6", "\\[")]
    [InlineData("key7", "#t")]
    [InlineData("key8", "\\#{test}")]
    [InlineData("key9", "#{test}")]
    [InlineData("key10", @"\[(?<time>[^\]]*)\] (?<message>.*)")]
    public void SingleQuotedValuesOnlyUnescapeQuoteAndBackslash(string key, string expected) =>
        Assert.Equal(expected, ConfigAssert.Value(ConfigAssert.Single(ParseWithoutLine22Ruby(), "section1"), key));

    [Theory]
    [InlineData("key1", "text")]
    [InlineData("key2", "\"")]
    [InlineData("key3", "\\")]
    [InlineData("key4", "\t")]
    [InlineData("key5", "[")]
    [InlineData("key6", "\\[")]
    [InlineData("key7", "#t")]
    [InlineData("key8", "#{test}")]
    [InlineData("key9", "evaluated")]
    [InlineData("key10", @"\[(?<time>[^\]]*)\] (?<message>.*)")]
    public void DoubleQuotedValuesUnescapeAndEvaluate(string key, string expected) =>
        Assert.Equal(expected, ConfigAssert.Value(ConfigAssert.Single(ParseWithoutLine22Ruby(), "section2"), key));

    [Theory]
    [InlineData("key1", "text")]
    [InlineData("key2", "\\")]
    [InlineData("key3", "\\\\")]
    [InlineData("key4", "\\t")]
    [InlineData("key5", "\\[")]
    [InlineData("key6", "\\\\[")]
    [InlineData("key7", "#t")]
    [InlineData("key8", "\\#{test}")]
    [InlineData("key9", "#{test}")]
    [InlineData("key10", @"\[(?<time>[^\]]*)\] (?<message>.*)")]
    public void UnquotedValuesAreTakenLiterallyUpToASpacedComment(string key, string expected) =>
        Assert.Equal(expected, ConfigAssert.Value(ConfigAssert.Single(ParseWithoutLine22Ruby(), "section3"), key));

    [Fact]
    public void ParametersRememberTheirLines()
    {
        var root = ParseWithoutLine22Ruby();
        Assert.Equal(13, ConfigAssert.Single(root, "section2").Line);
        Assert.Equal(35, ConfigAssert.Single(root, "section3").Find("key10")!.Line);
    }
}
