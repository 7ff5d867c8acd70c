using LogAgent.Core.Plugins.Filters;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using static LogAgent.Tests.Filters.FilterHarness;

namespace LogAgent.Tests.Filters;

/// <summary>fluentd's test/plugin/test_filter_grep.rb, ported case by case, plus LogAgent-specific checks.</summary>
public class GrepFilterTests
{
    private static readonly EventTime Time = new(1357800000, 0);

    private readonly FilterHarness _harness = new();

    private GrepFilter Build(params object[] content)
    {
        var section = Filter("grep");
        foreach (var item in content)
        {
            if (item is ConfigSection child) section.Add(child);
            else if (item is ValueTuple<string, string> p) section.Add(new ConfigParameter(p.Item1, p.Item2, "test.conf", 2));
        }
        return _harness.Build<GrepFilter>(section);
    }

    private static ConfigSection Rule(string name, string key, string pattern) => Child(name, ("key", key), ("pattern", pattern));
    private static ConfigSection Group(string name, params ConfigSection[] rules) => Nest(Child(name), rules);

    private static List<Record> Run(GrepFilter filter, IEnumerable<Record> records) =>
        FilterHarness.Run(filter, "filter.test", Time, records).Select(e => e.Record).ToList();

    // ---- configure ----

    [Fact]
    public void Default_has_no_conditions()
    {
        var filter = Build();
        Assert.Empty(filter.RegexpAndRules);
        Assert.Empty(filter.ExcludeOrRules);
    }

    [Fact]
    public void RegexpN_pattern_keeps_everything_after_the_first_space()
    {
        var filter = Build(("regexp1", "message  foo"));
        Assert.Equal(" foo", Assert.Single(filter.RegexpAndRules).Regex.ToString());
    }

    [Fact]
    public void ExcludeN_pattern_keeps_everything_after_the_first_space()
    {
        var filter = Build(("exclude1", "message  foo"));
        Assert.Equal(" foo", Assert.Single(filter.ExcludeOrRules).Regex.ToString());
    }

    public static TheoryData<string, object[]> DuplicateKeys => new()
    {
        { "flat", new object[] { ("regexp1", "message test"), ("regexp2", "message test2") } },
        { "section", new object[] { Rule("regexp", "message", "test"), Rule("regexp", "message", "test2") } },
        { "mix", new object[] { ("regexp1", "message test"), Rule("regexp", "message", "test") } },
        { "and/regexp", new object[] { Group("and", Rule("regexp", "message", "test"), Rule("regexp", "message", "test")) } },
        { "and/regexp, and/regexp", new object[] { Group("and", Rule("regexp", "message", "test")), Group("and", Rule("regexp", "message", "test")) } },
        { "regexp, and/regexp", new object[] { Rule("regexp", "message", "test"), Group("and", Rule("regexp", "message", "test")) } },
        { "and/exclude", new object[] { Group("and", Rule("exclude", "message", "test"), Rule("exclude", "message", "test")) } },
        { "and/exclude, and/exclude", new object[] { Group("and", Rule("exclude", "message", "test")), Group("and", Rule("exclude", "message", "test")) } },
        { "exclude, or/exclude", new object[] { Rule("exclude", "message", "test"), Group("or", Rule("exclude", "message", "test")) } },
        { "excludeN", new object[] { ("exclude1", "message a"), ("exclude2", "message b") } },
    };

    [Theory]
    [MemberData(nameof(DuplicateKeys))]
    public void Duplicate_key_in_one_condition_set_is_a_config_error(string name, object[] content)
    {
        Assert.NotEmpty(name);
        Assert.Throws<ConfigException>(() => Build(content));
    }

    [Fact]
    public void Same_key_in_regexp_and_exclude_is_allowed()
    {
        var filter = Build(Rule("regexp", "message", "a"), Rule("exclude", "message", "b"));
        Assert.Single(filter.RegexpAndRules);
        Assert.Single(filter.ExcludeOrRules);
    }

    [Fact]
    public void Pattern_between_slashes_is_the_regex_inside()
    {
        var filter = Build(Rule("regexp", "message", "/[a-z]test/"), Rule("exclude", "message", "/[A-Z]test/"));
        Assert.Equal("[a-z]test", filter.RegexpAndRules[0].Regex.ToString());
        Assert.Equal("[A-Z]test", filter.ExcludeOrRules[0].Regex.ToString());
    }

    [Theory]
    [InlineData("and")]
    [InlineData("or")]
    public void Group_cannot_hold_both_regexp_and_exclude(string group)
    {
        var e = Assert.Throws<ConfigException>(() => Build(Group(group, Rule("regexp", "message", "/test/"), Rule("exclude", "level", "/debug/"))));
        Assert.Contains($"Do not specify both <regexp> and <exclude> in <{group}>", e.Message);
    }

    [Fact]
    public void RegexpN_without_pattern_is_a_config_error()
    {
        var e = Assert.Throws<ConfigException>(() => Build(("regexp1", "message")));
        Assert.Contains("regexp1 does not contain 2 parameters", e.Message);
    }

    [Fact]
    public void Rule_without_key_is_a_config_error() =>
        Assert.Throws<ConfigException>(() => Build(Child("regexp", ("pattern", "x"))));

    [Fact]
    public void Invalid_regex_is_a_config_error_naming_the_section()
    {
        var e = Assert.Throws<ConfigException>(() => Build(Rule("regexp", "message", "/(unclosed/")));
        Assert.Equal("test.conf", e.File);
    }

    [Fact]
    public void Pattern_with_too_many_flags_is_missing_its_right_slash()
    {
        var e = Assert.Throws<ConfigException>(() => Build(Rule("regexp", "message", "/regexp/imx")));
        Assert.Contains("invalid regexp: missing right slash: /regexp/imx", e.Message);
    }

    // ---- filter_stream ----

    private static readonly string[] Messages =
    {
        "2013/01/13T07:02:11.124202 INFO GET /ping",
        "2013/01/13T07:02:13.232645 WARN POST /auth",
        "2013/01/13T07:02:21.542145 WARN GET /favicon.ico",
        "2013/01/13T07:02:43.632145 WARN POST /login",
    };

    private static IEnumerable<Record> MessageRecords(IEnumerable<object?> messages) =>
        messages.Select(m => new Record { ["foo"] = "bar", ["message"] = m });

    private List<string> FilterMessages(params object[] content) =>
        Run(Build(content), MessageRecords(Messages)).Select(r => (string)r["message"]!).ToList();

    [Fact]
    public void Empty_config_passes_everything() => Assert.Equal(Messages, FilterMessages());

    [Fact]
    public void RegexpN_keeps_matching_records() =>
        Assert.Equal(Messages[1..], FilterMessages(("regexp1", "message WARN")));

    [Fact]
    public void ExcludeN_drops_matching_records() =>
        Assert.Equal(new[] { Messages[0], Messages[1], Messages[3] }, FilterMessages(("exclude1", "message favicon")));

    [Fact]
    public void Regexp_section_keeps_matching_records() =>
        Assert.Equal(Messages[1..], FilterMessages(Rule("regexp", "message", "WARN")));

    [Fact]
    public void Exclude_section_drops_matching_records() =>
        Assert.Equal(new[] { Messages[0], Messages[1], Messages[3] }, FilterMessages(Rule("exclude", "message", "favicon")));

    [Fact]
    public void Records_pass_through_unchanged()
    {
        var kept = Run(Build(Rule("regexp", "message", "login")), MessageRecords(Messages));
        AssertRecord(new Record { ["foo"] = "bar", ["message"] = Messages[3] }, Assert.Single(kept));
    }

    // ---- and/or sections ----

    private static Record Access(string time, string level, string method, string path) =>
        new() { ["time"] = time, ["level"] = level, ["method"] = method, ["path"] = path };

    private static readonly Record[] FourRecords =
    {
        Access("2013/01/13T07:02:11.124202", "INFO", "GET", "/ping"),
        Access("2013/01/13T07:02:13.232645", "WARN", "POST", "/auth"),
        Access("2013/01/13T07:02:21.542145", "WARN", "GET", "/favicon.ico"),
        Access("2013/01/13T07:02:43.632145", "WARN", "POST", "/login"),
    };

    private static readonly Record[] EightRecords = FourRecords.Concat(new[]
    {
        Access("2013/01/13T07:02:44.959307", "ERROR", "POST", "/login"),
        Access("2013/01/13T07:02:45.444992", "ERROR", "GET", "/ping"),
        Access("2013/01/13T07:02:51.247941", "WARN", "GET", "/info"),
        Access("2013/01/13T07:02:53.108366", "WARN", "POST", "/ban"),
    }).ToArray();

    private int[] KeptIndexes(Record[] records, params object[] content)
    {
        var kept = Run(Build(content), records);
        return kept.Select(r => Array.FindIndex(records, x => (string)x["time"]! == (string)r["time"]!)).ToArray();
    }

    private static ConfigSection LevelInfoOrWarn(string kind) => Rule(kind, "level", "^INFO$");
    private static ConfigSection MethodGet(string kind) => Rule(kind, "method", "^GET$");

    [Fact]
    public void And_regexp_requires_all() =>
        Assert.Equal(new[] { 0 }, KeptIndexes(FourRecords, Group("and", LevelInfoOrWarn("regexp"), MethodGet("regexp"))));

    [Fact]
    public void Or_exclude_drops_on_any() =>
        Assert.Equal(new[] { 1, 3 }, KeptIndexes(FourRecords, Group("or", LevelInfoOrWarn("exclude"), MethodGet("exclude"))));

    [Fact]
    public void Or_regexp_requires_one() =>
        Assert.Equal(new[] { 0, 2 }, KeptIndexes(FourRecords, Group("or", LevelInfoOrWarn("regexp"), MethodGet("regexp"))));

    [Fact]
    public void And_exclude_drops_only_when_all_match() =>
        Assert.Equal(new[] { 1, 2, 3 }, KeptIndexes(FourRecords, Group("and", LevelInfoOrWarn("exclude"), MethodGet("exclude"))));

    private static ConfigSection[] ErrorOrWarnRegexps() =>
        new[] { Rule("regexp", "level", "^ERROR|WARN$"), Rule("regexp", "method", "^GET|POST$") };

    private static ConfigSection[] WarnGetExcludes() =>
        new[] { Rule("exclude", "level", "^WARN$"), Rule("exclude", "method", "^GET$") };

    [Fact]
    public void And_regexp_with_or_exclude() =>
        Assert.Equal(new[] { 4 }, KeptIndexes(EightRecords, Group("and", ErrorOrWarnRegexps()), Group("or", WarnGetExcludes())));

    [Fact]
    public void And_regexp_with_and_exclude() =>
        Assert.Equal(new[] { 1, 3, 4, 5, 7 }, KeptIndexes(EightRecords, Group("and", ErrorOrWarnRegexps()), Group("and", WarnGetExcludes())));

    [Fact]
    public void Or_regexp_with_and_exclude() =>
        Assert.Equal(new[] { 0, 1, 3, 4, 5, 7 }, KeptIndexes(EightRecords, Group("or", ErrorOrWarnRegexps()), Group("and", WarnGetExcludes())));

    [Fact]
    public void Or_regexp_with_or_exclude() =>
        Assert.Equal(new[] { 4 }, KeptIndexes(EightRecords, Group("or", ErrorOrWarnRegexps()), Group("or", WarnGetExcludes())));

    [Fact]
    public void Top_level_regexp_with_and_regexp() =>
        Assert.Equal(new[] { 3, 4 }, KeptIndexes(EightRecords, Group("and", ErrorOrWarnRegexps()), Rule("regexp", "path", "^/login$")));

    [Fact]
    public void Top_level_regexps_with_or_exclude() =>
        Assert.Equal(new[] { 4 }, KeptIndexes(EightRecords, ErrorOrWarnRegexps()[0], ErrorOrWarnRegexps()[1], Group("or", WarnGetExcludes())));

    [Fact]
    public void Top_level_regexps_with_and_exclude() =>
        Assert.Equal(new[] { 1, 3, 4, 5, 7 }, KeptIndexes(EightRecords, ErrorOrWarnRegexps()[0], ErrorOrWarnRegexps()[1], Group("and", WarnGetExcludes())));

    [Fact]
    public void Top_level_excludes_are_ored() =>
        Assert.Equal(new[] { 1, 3, 7 }, KeptIndexes(EightRecords, Rule("exclude", "level", "^ERROR$"), Rule("exclude", "method", "^GET$")));

    // ---- nested keys ----

    private static IEnumerable<Record> NestedMessages() => new[] { "INFO", "WARN", "WARN" }
        .Select(level => new Record { ["foo"] = "bar", ["message"] = new Record { ["nest1"] = new Record { ["nest2"] = level } } });

    [Fact]
    public void Regexp_on_nested_key()
    {
        var kept = Run(Build(Rule("regexp", "$.message.nest1.nest2", "WARN")), NestedMessages());
        Assert.Equal(2, kept.Count);
        Assert.All(kept, r => Assert.Equal("WARN", ((Record)((Record)r["message"]!)["nest1"]!)["nest2"]));
    }

    [Fact]
    public void Exclude_on_nested_key()
    {
        var kept = Run(Build(Rule("exclude", "$.message.nest1.nest2", "WARN")), NestedMessages());
        Assert.Equal("INFO", ((Record)((Record)Assert.Single(kept)["message"]!)["nest1"]!)["nest2"]);
    }

    [Fact]
    public void Bracket_notation_key_reaches_keys_with_dots()
    {
        var records = new[] { new Record { ["k8s"] = new Record { ["pod.name"] = "web-1" } }, new Record { ["k8s"] = new Record { ["pod.name"] = "db-1" } } };
        var kept = Run(Build(Rule("regexp", "$['k8s']['pod.name']", "^web")), records);
        Assert.Equal("web-1", ((Record)Assert.Single(kept)["k8s"]!)["pod.name"]);
    }

    // ---- non-string values are matched by their Ruby to_s ----

    public static TheoryData<string, object?> NonStringValues => new()
    {
        { "array", new List<object?> { "0" } },
        { "hash", new Record { ["0"] = "0" } },
        { "integer", 0L },
        { "float", 0.1 },
    };

    [Theory]
    [MemberData(nameof(NonStringValues))]
    public void Non_string_value_matches_its_to_s(string name, object? value)
    {
        Assert.NotEmpty(name);
        Assert.Single(Run(Build(("regexp1", "message 0")), MessageRecords(new[] { value })));
    }

    [Fact]
    public void Boolean_value_matches_its_to_s() =>
        Assert.Single(Run(Build(("regexp1", "message true")), MessageRecords(new object?[] { true })));

    [Theory]
    [InlineData("^\\[\"0\"\\]$", true)]
    [InlineData("^\\{\"a\"=>1, \"b\"=>nil\\}$", true)]
    [InlineData("^0$", false)]
    public void Containers_are_matched_by_their_inspect_text(string pattern, bool kept)
    {
        var records = new[] { new Record { ["v"] = new List<object?> { "0" } }, new Record { ["v"] = new Record { ["a"] = 1L, ["b"] = null } } };
        Assert.Equal(kept, Run(Build(Rule("regexp", "v", pattern)), records).Count == 1);
    }

    // ---- LogAgent-specific checks of fluentd behaviour ----

    [Fact]
    public void Missing_key_is_matched_as_the_empty_string()
    {
        // Expression#match? calls nil.to_s: "^$" holds for a record without the key, "." does not.
        var records = new[] { new Record { ["message"] = "x" }, new Record { ["other"] = "y" } };
        Assert.Equal("y", Assert.Single(Run(Build(Rule("regexp", "message", "^$")), records))["other"]);
        Assert.Equal("x", Assert.Single(Run(Build(Rule("regexp", "message", ".")), records))["message"]);
    }

    [Fact]
    public void Case_insensitive_flag_applies()
    {
        var records = MessageRecords(new[] { "an ERROR", "fine" });
        Assert.Equal("an ERROR", Assert.Single(Run(Build(Rule("regexp", "message", "/error/i")), records))["message"]);
    }

    [Fact]
    public void Caret_matches_at_any_line_start_as_in_ruby()
    {
        var records = MessageRecords(new[] { "first\nERROR second", "ok" });
        Assert.Single(Run(Build(Rule("regexp", "message", "^ERROR")), records));
    }

    [Fact]
    public void Key_path_through_a_string_keeps_the_record_and_warns()
    {
        // Hash#dig raises TypeError on a string; filter_grep.rb rescues it, logs and returns the record.
        var records = new[] { new Record { ["message"] = "plain" } };
        var kept = Run(Build(Rule("regexp", "$.message.level", "^ERROR$")), records);
        Assert.Single(kept);
        Assert.Contains(_harness.Log.Warnings, w => w.StartsWith("failed to grep events"));
    }
}
