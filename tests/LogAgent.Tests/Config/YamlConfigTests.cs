using LogAgent.Core.Config;
using LogAgent.Sdk.Config;
using static LogAgent.Tests.Config.ConfigAssert;

namespace LogAgent.Tests.Config;

/// <summary>fluentd's YAML form: twins of fluentd-syntax files must give the same model, and YAML-only forms work.</summary>
public class YamlConfigTests
{
    private static ConfigSection Load(string name) => ValidConfigTests.Load(name);

    [Theory]
    [InlineData("01-forward-stdout")]
    [InlineData("02-tail-nested")]
    [InlineData("07-labels")]
    [InlineData("08-workers")]
    [InlineData("10-copy-stores")]
    [InlineData("24-system")]
    public void TheYamlTwinGivesTheSameModel(string name) =>
        SameModel(Load(name + ".conf"), Load(name + ".yaml"));

    [Fact]
    public void TheComparisonNoticesADifference()
    {
        // Guards the twin test: a changed value must make the models differ.
        var conf = Load("01-forward-stdout.conf");
        var changed = ConfigLoader.Parse(File.ReadAllText(TestPaths.Valid("01-forward-stdout.conf")).Replace("24224", "24225"), "x.conf", ".");
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => SameModel(conf, changed));
    }

    [Fact]
    public void SectionsAndParametersCarryTheLineOfTheirKey()
    {
        var root = Load("02-tail-nested.yaml");
        var source = Single(root, "source");
        Assert.Equal(2, source.Line);
        Assert.Equal(3, source.Find("@type")!.Line);
        Assert.Equal(4, source.Find("path")!.Line);
        var parse = Single(source, "parse");
        Assert.Equal(8, parse.Line);
        Assert.Equal(12, Single(parse, "types").Line);
        Assert.Equal(TestPaths.Valid("02-tail-nested.yaml"), parse.File);
        Assert.Equal(14, Single(root, "match").Line);
    }

    [Fact]
    public void IncludeSplicesAnotherFilesDirectives()
    {
        var root = Load("25-yaml-features.yaml");
        Assert.Equal(["source", "source", "filter", "match"], root.Sections.Select(s => s.Name));
        var http = root.Sections[1];
        Assert.Equal("http", http.PluginType);
        Assert.EndsWith("yaml-sources.yaml", http.File);
        Assert.Equal(4, http.Line);
    }

    [Theory]
    [InlineData("host", "test-host")]
    [InlineData("escaped", "a\tb c")] // YAML unescapes \\ to \, then Ruby reads \t and \s
    [InlineData("worker", "worker-0")]
    [InlineData("raw", "#{not evaluated}")] // only !fluent/s is Ruby
    public void FluentStringIsARubyDoubleQuotedString(string key, string expected) =>
        Assert.Equal(expected, Value(Single(Single(Load("25-yaml-features.yaml"), "filter"), "record"), key));

    [Theory]
    [InlineData("keys", """["one","two",3]""")]
    [InlineData("sample", """{"message":"hi","n":1}""")]
    [InlineData("enabled", "true")] // Ruby's YAML reads yes as true
    [InlineData("octal", "493")] // and 0755 as an octal integer
    [InlineData("ratio", "1.5")]
    [InlineData("quoted_number", "0755")]
    public void ScalarsAreReadAsRubysYamlReadsThem(string key, string expected) =>
        Assert.Equal(expected, Value(Single(Load("25-yaml-features.yaml"), "match"), key));

    [Fact]
    public void AnEmptyValueIsLeftOut() =>
        Assert.False(Single(Load("25-yaml-features.yaml"), "match").Has("empty"));

    [Fact]
    public void TagListsAreJoinedWithCommasAndMergeKeysApply()
    {
        var match = Single(Load("25-yaml-features.yaml"), "match");
        Assert.Equal("a.**,b.**", match.Argument);
        var buffer = Single(match, "buffer");
        Assert.Equal("5s", Value(buffer, "flush_interval"));
        Assert.Equal("5", Value(buffer, "retry_max_times"));
    }

    [Fact]
    public void FluentStringUseNilAndUseDefaultLeaveTheParameterOut()
    {
        var match = Single(Load("26-fluent-s-env.yaml"), "match");
        Assert.Equal(["@type", "host"], match.Parameters.Select(p => p.Key));
        Assert.Equal("localhost", Value(match, "host"));
    }

    [Fact]
    public void CorpusYamlWorkersMatchTheirDocumentation()
    {
        var root = ConfigLoader.LoadFile(Path.Combine(TestPaths.Corpus, "079-docs-yaml-workers.yaml"), ValidConfigTests.Options);
        var workers = root.SectionsNamed("worker").ToList();
        Assert.Contains("0-1", workers.Select(w => w.Argument));
        var sample = Single(root, "source");
        Assert.Equal("""{"message": "Run with all workers."}""", Value(sample, "sample"));
    }
}
