using System.Text.RegularExpressions;
using LogAgent.Sdk.Text;

namespace LogAgent.Tests.Text;

/// <summary>Ruby (Onigmo) patterns and fluentd's <c>/pattern/flags</c> config form, as parsers and filters read them.</summary>
public class RubyRegexTests
{
    [Theory]
    [InlineData("/^a.b$/", "a\nb", false)]
    [InlineData("/^a.b$/m", "a\nb", true)]
    [InlineData("/^AB$/i", "ab", true)]
    [InlineData("^b$", "a\nb", true)] // ^ and $ match at line breaks, as in Ruby
    [InlineData("/a b/x", "ab", true)]
    [InlineData("/i", "anything", true)] // only one slash: the pattern is empty, fluentd's str[1...0]
    public void Reads_slashes_and_flags_as_fluentd(string text, string input, bool matches) =>
        Assert.Equal(matches, RubyRegex.Parse(text).IsMatch(input));

    [Theory]
    [InlineData("/regexp/imx", "invalid regexp: missing right slash: /regexp/imx")]
    [InlineData("/(?<a>x)/q", "invalid regexp flag 'q'")]
    [InlineData("/(unclosed/", "invalid regexp /(unclosed/")]
    public void Refuses_bad_patterns_saying_why(string text, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => RubyRegex.Parse(text)).Message);

    [Theory]
    [InlineData(@"^\h+$", "09afAF", true)]
    [InlineData(@"^\h+$", "0g", false)]
    [InlineData(@"^[\h-]+$", "dead-beef", true)] // inside a class \h is a range, not a nested class
    [InlineData(@"^[x\h]+$", "[", false)]
    [InlineData(@"^\H+$", "xyz", true)]
    [InlineData(@"^\H+$", "x1", false)]
    [InlineData("^[[:alpha:]]+$", "abcé", true)]
    [InlineData("^[[:alpha:][:digit:]_]+$", "a1_", true)]
    [InlineData("^[^[:space:]]+$", "a b", false)]
    public void Translates_ruby_only_classes(string pattern, string input, bool matches) =>
        Assert.Equal(matches, RubyRegex.Compile(pattern).IsMatch(input));

    [Fact]
    public void Unnamed_groups_do_not_capture_when_there_are_named_ones()
    {
        var regex = RubyRegex.Compile(@"(?<host>\w+) (a|b) (?<code>\d+)");
        Assert.Equal(new[] { "host", "code" }, RubyRegex.NamedGroups(regex));
        Assert.Equal(3, regex.Match("h a 200").Groups.Count);
        Assert.Equal(2, RubyRegex.Compile("(a)(b)").Match("ab").Groups.Count - 1);
    }

    [Fact]
    public void Extra_options_are_kept() =>
        Assert.Matches(RubyRegex.Compile("^a.b$", RegexOptions.Singleline), "a\nb");
}
