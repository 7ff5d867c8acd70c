using LogAgent.Core.Config;
using LogAgent.Sdk.Config;
using static LogAgent.Tests.Config.ConfigAssert;

namespace LogAgent.Tests.Config;

/// <summary>The hand-written configs under Configs/valid/: one syntax feature (or a realistic mix) per file.</summary>
public class ValidConfigTests
{
    internal static readonly ConfigLoadOptions Options = new()
    {
        GetEnvironmentVariable = name => name switch
        {
            "APP_NAME" => "myapp",
            "EMPTY" => "",
            "MIXED" => "MiXeD",
            "PADDED" => "  pad  ",
            "PORT" => "8080",
            _ => null,
        },
        GetHostName = () => "test-host",
        WorkerId = 0,
    };

    internal static ConfigSection Load(string name) => ConfigLoader.LoadFile(TestPaths.Valid(name), Options);

    [Fact]
    public void SourceAndMatchWithLinesAndFile()
    {
        var root = Load("01-forward-stdout.conf");
        Assert.Equal(["source", "match"], root.Sections.Select(s => s.Name));
        var source = root.Sections[0];
        Assert.Equal(3, source.Line);
        Assert.Equal(TestPaths.Valid("01-forward-stdout.conf"), source.File);
        Assert.Equal("forward", source.PluginType);
        Assert.Equal("24224", Value(source, "port"));
        Assert.Equal(6, source.Find("port")!.Line);
        var match = root.Sections[1];
        Assert.Equal("**", match.Argument);
        Assert.Equal(10, match.Line);
        Assert.Equal("out_stdout", Value(match, "@id"));
    }

    [Fact]
    public void SectionsNestAtAnyDepthWithTheirArguments()
    {
        var root = Load("02-tail-nested.conf");
        var parse = Single(Single(root, "source"), "parse");
        Assert.Equal("integer", Value(Single(parse, "types"), "status"));
        Assert.Equal(@"/^(?<remote>[^ ]*) (?<method>\S+) (?<path>[^ ]*)$/", Value(parse, "expression"));
        Assert.Equal("%d/%b/%Y:%H:%M:%S %z", Value(parse, "time_format"));
        var buffer = Single(Single(root, "match"), "buffer");
        Assert.Equal("tag,time", buffer.Argument);
        Assert.Equal(20, buffer.Line);
        Assert.Equal("three", Value(Single(buffer, "secondary_hint"), "depth"));
    }

    [Theory]
    [InlineData("unquoted", "plain value with spaces")] // inner spaces kept, trailing blanks dropped
    [InlineData("hash_inside", "a#b")] // '#' not after a blank is text
    [InlineData("comment_after", "value")]
    [InlineData("tab_comment", "value")]
    [InlineData("only_hash", "#not-a-comment")] // fluentd: a value may start with '#'
    [InlineData("single", "it's a \\ backslash and \\n stays")]
    [InlineData("double", "tab\there\nnewline \"quoted\" \\ back [ sym # hash")]
    [InlineData("double_hash", "a # b")]
    [InlineData("multi_line", "first\nsecond")] // a double-quoted value may span lines
    [InlineData("joined", "one two")] // backslash-newline joins lines
    [InlineData("empty_double", "")]
    [InlineData("empty_single", "")]
    [InlineData("url", "http://example.com/path?a=1&b=2")]
    public void QuotingForms(string key, string expected) =>
        Assert.Equal(expected, Value(Single(Load("03-quoting.conf"), "source"), key));

    [Fact]
    public void AValueAfterAMultiLineStringKeepsItsOwnLine() =>
        Assert.Equal(16, Single(Load("03-quoting.conf"), "source").Find("empty_double")!.Line);

    [Theory]
    [InlineData("tag", "app.myapp")]
    [InlineData("env_single", "myapp")]
    [InlineData("env_double", "myapp")]
    [InlineData("unset_is_empty", "")]
    [InlineData("or_default", "fallback")]
    [InlineData("or_chain", "myapp")]
    [InlineData("empty_wins", "")]
    [InlineData("fetch_default", "from-fetch")]
    [InlineData("fetch_block", "from-block")]
    [InlineData("fetch_set", "myapp")]
    [InlineData("concat", "pre-myapp-post")]
    [InlineData("joined", "/var/log/app.pos")]
    [InlineData("host1", "test-host")]
    [InlineData("host2", "test-host")]
    [InlineData("worker", "w0")]
    [InlineData("number", "24224")]
    [InlineData("boolean", "true")]
    [InlineData("nil_value", "[]")]
    [InlineData("methods", "mixed-MIXED-pad-8081")]
    [InlineData("to_s", "0")]
    [InlineData("two_parts", "myapp:8080")]
    public void EmbeddedRubyForms(string key, string expected) =>
        Assert.Equal(expected, Value(Single(Load("04-embedded-ruby.conf"), "source"), key));

    [Fact]
    public void UseNilAndUseDefaultLeaveTheParameterOut()
    {
        var match = Single(Load("05-use-nil-default.conf"), "match");
        Assert.Equal("localhost", Value(match, "host"));
        Assert.Equal(["@type", "host"], match.Parameters.Select(p => p.Key));
    }

    [Theory]
    [InlineData("one_line", """{"message":"hello","n":1,"f":1.5,"big":1.0e+20}""")]
    [InlineData("array", """["a","b","c"]""")]
    [InlineData("sample", """[{"message":"first"},{"message":"has # inside"},{"message":"last","nested":{"k":[1,2]}}]""")]
    [InlineData("hash", """{"key":"value","slash":"a/b","unicode":"café"}""")]
    [InlineData("after_json", "still parsed")]
    public void JsonValuesAreReserialisedAsFluentdDoes(string key, string expected) =>
        Assert.Equal(expected, Value(Single(Load("06-json-values.conf"), "source"), key));

    [Fact]
    public void MultiLineJsonKeepsTheLineItStartsOnAndTheNextKeyItsOwn()
    {
        var source = Single(Load("06-json-values.conf"), "source");
        Assert.Equal(6, source.Find("sample")!.Line);
        Assert.Equal(17, source.Find("after_json")!.Line);
    }

    [Fact]
    public void LabelsHoldFiltersAndMatches()
    {
        var root = Load("07-labels.conf");
        Assert.Equal("@INPUT", Value(Single(root, "source"), "@label"));
        var labels = root.SectionsNamed("label").ToList();
        Assert.Equal(["@INPUT", "@OUTPUT", "@ERROR"], labels.Select(l => l.Argument));
        Assert.Equal(["filter", "match"], labels[0].Sections.Select(s => s.Name));
        Assert.Equal("@OUTPUT", Value(Single(labels[0], "match"), "@label"));
        Assert.Equal("/debug/", Value(Single(Single(labels[0], "filter"), "exclude"), "pattern"));
        Assert.Empty(ConfigStructure.Validate(root));
    }

    [Fact]
    public void WorkerDirectivesTakeANumberOrARange()
    {
        var root = Load("08-workers.conf");
        var workers = root.SectionsNamed("worker").ToList();
        Assert.Equal(["0", "1-3"], workers.Select(w => w.Argument));
        Assert.Equal(["source", "match"], workers[1].Sections.Select(s => s.Name));
        Assert.Equal("4", Value(Single(root, "system"), "workers"));
    }

    [Fact]
    public void RepeatedAndDeeplyNestedSections()
    {
        var match = Single(Load("09-deep-nesting.conf"), "match");
        var servers = match.SectionsNamed("server").ToList();
        Assert.Equal(["primary", "backup"], servers.Select(s => Value(s, "name")));
        Assert.Equal("", Value(servers[1], "standby"));
        Assert.Equal("tag, time", Single(match, "buffer").Argument);
        var inject = Single(Single(Single(match, "secondary"), "format"), "inject");
        Assert.Equal("tag", Value(inject, "tag_key"));
        Assert.Equal(27, inject.Line);
    }

    [Fact]
    public void CopyStoresKeepOrderAndArguments()
    {
        var stores = Single(Load("10-copy-stores.conf"), "match").SectionsNamed("store").ToList();
        Assert.Equal(["file", "stdout", "relabel"], stores.Select(s => s.PluginType));
        Assert.Equal("ignore_error", stores[1].Argument);
        Assert.Equal("time", Single(stores[0], "buffer").Argument);
    }

    [Fact]
    public void TopLevelIncludesSpliceFilesInPlaceAndGlobsAreSortedWithoutHiddenFiles()
    {
        var root = Load("11-include-top.conf");
        Assert.Equal(["source", "source", "filter", "filter", "match"], root.Sections.Select(s => s.Name));
        Assert.Equal(["first", "second"], root.SectionsNamed("filter").Select(f => Value(Single(f, "record"), "order")));
        var http = root.Sections[1];
        Assert.Equal(Path.Combine(TestPaths.Valid(""), "includes/sources.conf"), http.File);
        Assert.Equal(5, http.Line);
        Assert.Equal(TestPaths.Valid("11-include-top.conf"), root.Sections[4].File);
    }

    [Fact]
    public void AnIncludeInsideASectionAddsParametersAndSectionsToIt()
    {
        var source = Single(Load("12-include-in-section.conf"), "source");
        Assert.Equal(["@type", "path", "read_from_head", "pos_file", "tag"], source.Parameters.Select(p => p.Key));
        Assert.Equal("json", Single(source, "parse").PluginType);
        var posFile = source.Find("pos_file")!;
        Assert.EndsWith("tail-common.conf", posFile.File);
        Assert.Equal(3, posFile.Line);
    }

    [Fact]
    public void NestedIncludesResolveRelativeToTheIncludingFile()
    {
        var root = Load("13-include-nested.conf");
        Assert.Equal(["system", "source", "match"], root.Sections.Select(s => s.Name));
        var stores = Single(root, "match").SectionsNamed("store").ToList();
        Assert.Equal(["stdout", "null"], stores.Select(s => s.PluginType));
        Assert.EndsWith("store-null.conf", stores[1].File);
    }

    [Fact]
    public void AGlobMatchingNothingIncludesNothing() =>
        Assert.Equal(["match"], Load("14-include-empty-glob.conf").Sections.Select(s => s.Name));

    [Fact]
    public void IncludePathsMayBeQuotedEvaluatedOrUseTheDeprecatedKeyword()
    {
        var root = Load("15-include-quoted-path.conf");
        Assert.Equal(["source", "source", "filter", "match"], root.Sections.Select(s => s.Name));
        Assert.Equal("legacy.**", root.Sections[3].Argument);
    }

    [Fact]
    public void CrLfLineEndingsAreLineEndings()
    {
        var root = Load("16-crlf.conf");
        var source = Single(root, "source");
        Assert.Equal("24224", Value(source, "port"));
        Assert.Equal("", Value(source, "flag"));
        Assert.Equal("quoted", Value(Single(root, "match"), "value"));
        Assert.Equal(7, Single(root, "match").Line);
    }

    [Fact]
    public void TabsSeparateAndAMissingFinalNewlineIsFine()
    {
        var root = Load("17-tabs-no-final-newline.conf");
        Assert.Equal("tabs.test", Value(Single(root, "source"), "tag"));
        Assert.Equal("none", Single(Single(root, "source"), "parse").PluginType);
        Assert.Equal("stdout", Single(root, "match").PluginType);
    }

    [Fact]
    public void CommentsMayFollowTagsAndValues()
    {
        var root = Load("18-comments-everywhere.conf");
        var source = Single(root, "source");
        Assert.Equal(["@type", "port"], source.Parameters.Select(p => p.Key));
        Assert.Equal("forward", Value(source, "@type"));
        Assert.Equal("24224", Value(source, "port"));
        Assert.Equal(4, source.Line);
        var matches = root.SectionsNamed("match").ToList();
        Assert.Equal(["**", "x"], matches.Select(m => m.Argument));
        Assert.Equal("json", Single(matches[0], "format").PluginType);
    }

    [Fact]
    public void AKeyWithoutAValueIsAnEmptyFlag()
    {
        var root = Load("19-bare-flags.conf");
        var filter = Single(root, "filter");
        Assert.Equal("", Value(filter, "enable_ruby"));
        Assert.Equal("", Value(filter, "auto_typecast"));
        Assert.Equal("", Value(filter, "..."));
        Assert.Equal("", Value(Single(filter, "record"), "tag_mapped"));
        Assert.Equal("", Value(Single(root, "match"), "last_key_at_eof"));
    }

    [Fact]
    public void MatchPatternsAreTheTrimmedTextOrTheUnquotedString()
    {
        var root = Load("20-match-patterns.conf");
        Assert.Equal(["app.myapp", "a.** b.* {c,d}.x", "", "spaced.pattern"], root.SectionsNamed("match").Select(m => m.Argument));
        Assert.Equal("single.quoted", Single(root, "filter").Argument);
    }

    [Fact]
    public void LegacyTypeAndFlagsAreKeptAsWritten()
    {
        var match = Single(Load("21-legacy-v0.conf"), "match");
        Assert.Equal("tdlog", match.PluginType);
        Assert.Equal("td.*.*", match.Argument);
        Assert.Equal("", Value(match, "auto_create_table"));
    }

    [Theory]
    [InlineData("format_firstline", @"/^\d{4}-\d{1,2}-\d{1,2}/")]
    [InlineData("format1", @"/^(?<time>\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}) \[(?<thread>.*)\] (?<level>[^\s]+)(?<message>.*)/")]
    [InlineData("quoted", @"^(?<host>[^ ]*) \[(?<time>[^\]]*)\] #(?<id>\d+)$")]
    [InlineData("rotate_wait", "= 15s")] // corpus 047: fluentd keeps the stray '='
    public void RegexValuesSurviveUnchanged(string key, string expected) =>
        Assert.Equal(expected, Value(Single(Single(Load("22-regex-values.conf"), "source"), "parse"), key));

    [Fact]
    public void RuntimePlaceholdersAreNotParseTimeRuby()
    {
        var record = Single(Single(Load("23-record-transformer.conf"), "filter"), "record");
        Assert.Equal("test-host", Value(record, "hostname"));
        Assert.Equal("${tag}", Value(record, "tag"));
        Assert.Equal("${tag_parts[1]}", Value(record, "tag_part"));
        Assert.Equal("${record[\"total\"] / record[\"count\"]}", Value(record, "avg"));
        Assert.Equal("literal #{not evaluated}", Value(record, "message"));
    }

    [Fact]
    public void SystemSectionWithNestedLog()
    {
        var root = Load("24-system.conf");
        var system = Single(root, "system");
        Assert.Equal("json", Value(Single(system, "log"), "format"));
        Assert.Equal("warn", Value(Single(root, "source"), "@log_level"));
    }
}
