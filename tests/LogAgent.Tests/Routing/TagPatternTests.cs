using LogAgent.Core.Routing;
using LogAgent.Sdk.Config;

namespace LogAgent.Tests.Routing;

/// <summary>
/// fluentd's test/test_match.rb, every table, plus the examples of the fluentd documentation's config-file page
/// ("How do the match patterns work?") and the /regex/ form added in fluentd 1.11.2.
/// </summary>
public class TagPatternTests
{
    public static TheoryData<string, string, bool> Simple => new()
    {
        { "a", "a", true },
        { "a.b", "a.b", true },
        { "a", "b", false },
        { "a.b", "aab", false },
    };

    public static TheoryData<string, string, bool> Wildcard => new()
    {
        { "a*", "a", true },
        { "a*", "ab", true },
        { "a*", "abc", true },
        { "*a", "a", true },
        { "*a", "ba", true },
        { "*a", "cba", true },
        { "*a*", "a", true },
        { "*a*", "ba", true },
        { "*a*", "ac", true },
        { "*a*", "bac", true },
        { "a*", "a.b", false },
        { "a*", "ab.c", false },
        { "a*", "ba", false },
        { "*a", "ab", false },
        { "a.*", "a.b", true },
        { "a.*", "a.c", true },
        { "a.*", "ab", false },
        { "a.*.c", "a.b.c", true },
        { "a.*.c", "a.c.c", true },
        { "a.*.c", "a.c", false },
    };

    public static TheoryData<string, string, bool> RecursiveWildcard => new()
    {
        { "a.**", "a", true },
        { "a.**", "ab", false },
        { "a.**", "abc", false },
        { "a.**", "a.b", true },
        { "a.**", "ab.c", false },
        { "a.**", "ab.d.e", false },
        { "a**", "a", true },
        { "a**", "ab", true },
        { "a**", "abc", true },
        { "a**", "a.b", true },
        { "a**", "ab.c", true },
        { "a**", "ab.d.e", true },
        { "**.a", "a", true },
        { "**.a", "ba", false },
        { "**.a", "c.ba", false },
        { "**.a", "b.a", true },
        { "**.a", "cb.a", true },
        { "**.a", "d.e.a", true },
        { "**a", "a", true },
        { "**a", "ba", true },
        { "**a", "c.ba", true },
        { "**a", "b.a", true },
        { "**a", "cb.a", true },
        { "**a", "d.e.a", true },
    };

    public static TheoryData<string, string, bool> Or => new()
    {
        { "a.{b,c}", "a.b", true },
        { "a.{b,c}", "a.c", true },
        { "a.{b,c}", "a.d", false },
        { "a.{b,c}.**", "a.b", true },
        { "a.{b,c}.**", "a.c", true },
        { "a.{b,c}.**", "a.d", false },
        { "a.{b,c}.**", "a.cd", false },
        { "a.{b.**,c}", "a.b", true },
        { "a.{b.**,c}", "a.b.c", true },
        { "a.{b.**,c}", "a.c", true },
        { "a.{b.**,c}", "a.c.d", false },
    };

    public static TheoryData<string, string, bool> MultiPatternOr => new()
    {
        { "a.b a.c", "a.b", true },
        { "a.b a.c", "a.c", true },
        { "a.b a.c", "a.d", false },
        { "a.b.** a.c.**", "a.b", true },
        { "a.b.** a.c.**", "a.c", true },
        { "a.b.** a.c.**", "a.d", false },
        { "a.b.** a.c.**", "a.cd", false },
        { "a.b.** a.c", "a.b", true },
        { "a.b.** a.c", "a.b.c", true },
        { "a.b.** a.c", "a.c", true },
        { "a.b.** a.c", "a.c.d", false },
    };

    // docs.fluentd.org/configuration/config-file, "How do the match patterns work?"
    public static TheoryData<string, string, bool> DocumentedExamples => new()
    {
        { "a.*", "a.b", true },
        { "a.*", "a", false },
        { "a.*", "a.b.c", false },
        { "a.**", "a", true },
        { "a.**", "a.b", true },
        { "a.**", "a.b.c", true },
        { "{a,b}", "a", true },
        { "{a,b}", "b", true },
        { "{a,b}", "c", false },
        { "a.{b,c}.*", "a.b.x", true },
        { "a.{b,c}.*", "a.c.x", true },
        { "a.{b,c}.*", "a.b", false },
        { "a.{b,c.**}", "a.b", true },
        { "a.{b,c.**}", "a.c", true },
        { "a.{b,c.**}", "a.c.d.e", true },
        { "a.{b,c.**}", "a.b.c", false },
        { "/(?!a\\.).*/", "b.xxx", true },
        { "/(?!a\\.).*/", "a.xxx", false },
        { "a b", "a", true },
        { "a b", "b", true },
        { "a b", "c", false },
        { "a.** b.*", "a", true },
        { "a.** b.*", "a.b", true },
        { "a.** b.*", "a.b.c", true },
        { "b.* a.**", "b.d", true },
        { "a.** b.*", "b", false },
    };

    // lib/fluent/match.rb (fluentd >= 1.11.2): /regex/ is anchored with \A and \Z.
    public static TheoryData<string, string, bool> RegexPatterns => new()
    {
        { "/a/", "a", true },
        { "/a/", "abc", false },
        { "/a.*/", "abc", true },
        { "/b.*/", "abc", false },
        { "/a\\..*/", "a.b.c", true },
        { "/a\\..*/", "b.b.c", false },
        { "/(?!a\\.).*/", "a.b.c", false },
        { "/(?!a\\.).*/", "b.b.c", true },
        { "/app\\.(foo|bar)/", "app.bar", true },
        { "/app\\.(foo|bar)/", "app.baz", false },
        { "/[a-c]\\d+/ x.**", "b42", true },
        { "/[a-c]\\d+/ x.**", "x.y", true },
        { "/[a-c]\\d+/ x.**", "d42", false },
    };

    // Behaviour that follows from match.rb's translation rather than from a documented rule.
    public static TheoryData<string, string, bool> TranslationQuirks => new()
    {
        { "**", "", true },
        { "**", "any.thing", true },
        { "a.**.b", "a.b", true },
        { "a.**.b", "a.x.y.b", true },
        { "a.**.b", "a.xb", false },
        { "a.**.b", "ab", false },
        { "*", "a", true },
        { "*", "a.b", false },
        { "*.*", "a.b", true },
        { "a.{b,{c,d}}", "a.d", true },
        { "a.{b,{c,d}}", "a.e", false },
        { "a\\*b", "a*b", true },
        { "a\\*b", "axb", false },
        { "a-b", "a-b", true },
        { "a?", "a?", true },
        { "a?", "ab", false },
        { "a}", "a}", true },
        { "a,b", "a,b", true },
        // A trailing dot is dropped by match.rb (it is only emitted when something follows it).
        { "a.", "a", true },
        { "a.", "a.", false },
        // An unclosed brace: the alternatives' regex fragments become literal text.
        { "a.{b,c", "a.b", true },
        { "a.{b,c", "a.c", true },
        { "a.{b*,c", "a.b[^\\.]*", true },
        { "a.{b*,c", "a.b*", false },
        { "a.{b*,c", "a.bx", false },
        { "  a   b  ", "b", true },
        // "/" starts and ends with a slash; match.rb takes pat[1..-2], the empty regex.
        { "/", "", true },
        { "/", "a", false },
    };

    [Theory]
    [MemberData(nameof(Simple))]
    [MemberData(nameof(Wildcard))]
    [MemberData(nameof(RecursiveWildcard))]
    [MemberData(nameof(Or))]
    [MemberData(nameof(MultiPatternOr))]
    [MemberData(nameof(DocumentedExamples))]
    [MemberData(nameof(RegexPatterns))]
    [MemberData(nameof(TranslationQuirks))]
    public void Matches_as_fluentd(string pattern, string tag, bool expected) =>
        Assert.Equal(expected, TagPattern.Parse(pattern).Matches(tag));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_argument_matches_everything_like_match_without_pattern(string argument)
    {
        var pattern = TagPattern.Parse(argument);
        Assert.True(pattern.Matches("a"));
        Assert.True(pattern.Matches("a.b.c"));
        Assert.Equal(new[] { "**" }, pattern.Alternatives);
    }

    [Fact]
    public void Alternatives_are_split_on_whitespace()
    {
        var pattern = TagPattern.Parse("a.b\tc.**  d");
        Assert.Equal(new[] { "a.b", "c.**", "d" }, pattern.Alternatives);
        Assert.Equal("a.b\tc.**  d", pattern.ToString());
    }

    [Theory]
    [InlineData("a.*.c", @"\Aa\.[^\.]*\.c\Z")]
    [InlineData("a.**", @"\Aa(?![^\.]).*\Z")]
    [InlineData("**.a", @"\A(?:.*\.|\A)a\Z")]
    [InlineData("a.{b,c}", @"\Aa\.(?:b|c)\Z")]
    public void Glob_translates_to_the_regex_match_rb_builds(string glob, string expected) =>
        Assert.Equal(expected, TagPattern.ToRegex(glob));

    [Theory]
    [InlineData("/abc")]
    [InlineData("/(unclosed/")]
    public void Malformed_regex_pattern_is_a_config_error(string pattern) =>
        Assert.Throws<ConfigException>(() => TagPattern.Parse(pattern));

    [Fact]
    public void Config_error_names_the_directive()
    {
        var match = new ConfigSection("match", "/abc", "fluent.conf", 12);
        var e = Assert.Throws<ConfigException>(() => TagPattern.Parse(match.Argument, match));
        Assert.Equal(12, e.Line);
        Assert.StartsWith("fluent.conf:12: invalid match - regex", e.Message);
    }

    [Fact]
    public void All_matches_every_tag()
    {
        Assert.True(TagPattern.All.Matches(""));
        Assert.True(TagPattern.All.Matches("x.y.z"));
    }
}
