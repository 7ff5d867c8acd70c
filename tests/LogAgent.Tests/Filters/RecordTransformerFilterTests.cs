using LogAgent.Core.Plugins.Filters;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;
using static LogAgent.Tests.Filters.FilterHarness;

namespace LogAgent.Tests.Filters;

/// <summary>
/// fluentd's test/plugin/test_filter_record_transformer.rb, ported case by case with exact expected records.
/// The event time is 2010-05-04 03:02:01 UTC and ${time} is formatted in UTC (fluentd uses the local zone).
/// </summary>
public class RecordTransformerFilterTests
{
    private const string Hostname = "test-host";
    private static readonly EventTime Time = new(1272942121, 0);
    private const string TimeText = "2010-05-04 03:02:01 +0000";

    private readonly FilterHarness _harness = new();
    private string _tag = "test.tag";

    private RecordTransformerFilter Build(IEnumerable<(string, string)> parameters, params (string, string)[] record)
    {
        var section = Filter("record_transformer", parameters.ToArray());
        if (record.Length > 0) section.Add(Child("record", record));
        var filter = _harness.Build<RecordTransformerFilter>(section);
        filter.TimeZone = TimeZoneInfo.Utc;
        return filter;
    }

    private static (string, string)[] P(params (string, string)[] p) => p;

    private List<(EventTime Time, Record Record)> Run(RecordTransformerFilter filter, IEnumerable<Record> records) =>
        FilterHarness.Run(filter, _tag, Time, records);

    private List<Record> RunRecords(RecordTransformerFilter filter, IEnumerable<Record> records) =>
        Run(filter, records).Select(e => e.Record).ToList();

    // ---- configure ----

    [Fact]
    public void Default_configuration_is_valid() => Assert.NotNull(Build(P()));

    [Fact]
    public void Keep_keys_requires_renew_record()
    {
        var e = Assert.Throws<ConfigException>(() => Build(P(("keep_keys", "a"))));
        Assert.Contains("`renew_record` must be true to use `keep_keys`", e.Message);
    }

    // ---- options (records: foo, message, nest) ----

    private static readonly (string, string)[] TypicalRecord =
    {
        ("hostname", "${hostname}"),
        ("tag", "${tag}"),
        ("time", "${time}"),
        ("message", "${hostname} ${tag_parts[-1]} ${record[\"message\"]}"),
    };

    private static IEnumerable<Record> OptionRecords(params string?[] messages) => messages.Select(m => new Record
    {
        ["foo"] = "bar",
        ["message"] = m,
        ["nest"] = new Record { ["k1"] = "v1", ["k2"] = "v2" },
    });

    [Fact]
    public void Typical_usage()
    {
        var result = RunRecords(Build(P(), TypicalRecord), OptionRecords("1", "2"));
        for (int i = 0; i < 2; i++)
        {
            AssertRecord(new Record
            {
                ["foo"] = "bar",
                ["message"] = $"{Hostname} tag {i + 1}",
                ["nest"] = new Record { ["k1"] = "v1", ["k2"] = "v2" },
                ["hostname"] = Hostname,
                ["tag"] = "test.tag",
                ["time"] = TimeText,
            }, result[i]);
        }
    }

    [Fact]
    public void Remove_keys()
    {
        var result = RunRecords(Build(P(("remove_keys", "foo,message")), TypicalRecord), OptionRecords(""));
        AssertRecord(new Record
        {
            ["nest"] = new Record { ["k1"] = "v1", ["k2"] = "v2" },
            ["hostname"] = Hostname,
            ["tag"] = "test.tag",
            ["time"] = TimeText,
        }, Assert.Single(result));
    }

    [Fact]
    public void Remove_keys_with_nested_key()
    {
        var result = RunRecords(Build(P(("remove_keys", "$.nest.k1")), TypicalRecord), OptionRecords(""));
        AssertRecord(new Record { ["k2"] = "v2" }, (Record)Assert.Single(result)["nest"]!);
    }

    [Fact]
    public void Renew_record()
    {
        var result = RunRecords(Build(P(("renew_record", "true")), TypicalRecord), OptionRecords("1", "2"));
        for (int i = 0; i < 2; i++)
        {
            AssertRecord(new Record
            {
                ["hostname"] = Hostname,
                ["tag"] = "test.tag",
                ["time"] = TimeText,
                ["message"] = $"{Hostname} tag {i + 1}",
            }, result[i]);
        }
    }

    [Fact]
    public void Renew_time_key()
    {
        // Float#to_s of Time#to_f, as the fluentd test feeds them.
        var result = Run(Build(P(("renew_time_key", "message"))), OptionRecords("1272942122.0", "1272942123.5"));
        Assert.Equal(new EventTime(1272942122, 0), result[0].Time);
        Assert.Equal(new EventTime(1272942123, 500_000_000), result[1].Time);
        Assert.Equal("1272942122.0", result[0].Record["message"]);
    }

    [Fact]
    public void Renew_time_key_and_remove_keys()
    {
        var filter = Build(P(("renew_time_key", "event_time_key"), ("remove_keys", "event_time_key"), ("auto_typecast", "true")),
            ("event_time_key", "${record[\"message\"]}"));
        var result = Run(filter, OptionRecords("1272942122.0", "1272942123.0"));
        Assert.Equal(new EventTime(1272942122, 0), result[0].Time);
        Assert.Equal(new EventTime(1272942123, 0), result[1].Time);
        Assert.All(result, e => Assert.False(e.Record.ContainsKey("event_time_key")));
    }

    [Fact]
    public void Renew_time_key_reads_integers_and_leading_numbers()
    {
        var records = new[] { new Record { ["t"] = 1500000000L }, new Record { ["t"] = "1500000001.25xyz" }, new Record { ["t"] = "junk" } };
        var result = Run(Build(P(("renew_time_key", "t"))), records);
        Assert.Equal(new EventTime(1500000000, 0), result[0].Time);
        Assert.Equal(new EventTime(1500000001, 250_000_000), result[1].Time);
        Assert.Equal(new EventTime(0, 0), result[2].Time); // "junk".to_f is 0.0
    }

    [Fact]
    public void Renew_time_key_with_a_map_value_goes_to_error()
    {
        var records = new[] { new Record { ["t"] = new Record() } };
        Assert.Empty(Run(Build(P(("renew_time_key", "t"))), records));
        Assert.Single(_harness.Context.Errors);
    }

    [Fact]
    public void Keep_keys()
    {
        var result = RunRecords(Build(P(("renew_record", "true"), ("keep_keys", "foo,message"))), OptionRecords("1", "2"));
        AssertRecord(new Record { ["foo"] = "bar", ["message"] = "1" }, result[0]);
        AssertRecord(new Record { ["foo"] = "bar", ["message"] = "2" }, result[1]);
    }

    [Fact]
    public void Keep_keys_absent_from_the_record_are_not_added()
    {
        var result = RunRecords(Build(P(("renew_record", "true"), ("keep_keys", "foo, bar, baz, message"))), OptionRecords("1", "2", null));
        AssertRecord(new Record { ["foo"] = "bar", ["message"] = "1" }, result[0]);
        AssertRecord(new Record { ["foo"] = "bar", ["message"] = "2" }, result[1]);
        AssertRecord(new Record { ["foo"] = "bar", ["message"] = null }, result[2]);
    }

    [Fact]
    public void Enable_ruby_with_ruby_code_is_refused_at_configuration()
    {
        // fluentd evaluates `tag_parts.last` and string concatenation; LogAgent runs no Ruby.
        var e = Assert.Throws<ConfigException>(() =>
            Build(P(("enable_ruby", "yes")), ("message", "${hostname} ${tag_parts.last} ${\"'\" + record[\"message\"] + \"'\"}")));
        Assert.Contains("`tag_parts.last`", e.Message);
        Assert.Contains("not supported", e.Message);
        Assert.Contains("<record>", e.Message);
    }

    [Fact]
    public void Hash_value()
    {
        var result = RunRecords(Build(P(), ("hash_field", "{\"k1\":100, \"k2\":\"foobar\"}")), OptionRecords("1"));
        AssertRecord(new Record { ["k1"] = 100L, ["k2"] = "foobar" }, (Record)Assert.Single(result)["hash_field"]!);
    }

    [Fact]
    public void Array_value()
    {
        var result = RunRecords(Build(P(), ("array_field", "[1, 2, 3]")), OptionRecords("1"));
        Assert.Equal(new object?[] { 1L, 2L, 3L }, (List<object?>)Assert.Single(result)["array_field"]!);
    }

    [Fact]
    public void Array_hash_mixed()
    {
        var result = RunRecords(Build(P(), ("mixed_field", "{\"hello\":[1,2,3], \"world\":{\"foo\":\"bar\"}}")), OptionRecords("1"));
        Assert.Equal("{\"hello\"=>[1, 2, 3], \"world\"=>{\"foo\"=>\"bar\"}}", RubyValueText.Inspect(Assert.Single(result)["mixed_field"]));
    }

    [Fact]
    public void Value_that_is_not_valid_json_stays_a_string()
    {
        var result = RunRecords(Build(P(), ("v", "[not json ${tag}")), OptionRecords("1"));
        Assert.Equal("[not json test.tag", Assert.Single(result)["v"]);
        Assert.Contains(_harness.Log.Warnings, w => w.StartsWith("failed to parse [not json ${tag} as json"));
    }

    // ---- placeholders, with and without enable_ruby ----

    private static IEnumerable<Record> PlaceholderRecords(params string[] messages) =>
        messages.Select(m => new Record { ["eventType0"] = "bar", ["message"] = m });

    private (string, string)[] Ruby(string enableRuby, params (string, string)[] more) => new[] { ("enable_ruby", enableRuby) }.Concat(more).ToArray();

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Hostname_placeholder(string enableRuby) =>
        Assert.Equal(Hostname, Assert.Single(RunRecords(Build(Ruby(enableRuby), ("message", "${hostname}")), PlaceholderRecords("")))["message"]);

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Tag_placeholder(string enableRuby) =>
        Assert.Equal("test.tag", Assert.Single(RunRecords(Build(Ruby(enableRuby), ("message", "${tag}")), PlaceholderRecords("")))["message"]);

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Tag_parts(string enableRuby) =>
        Assert.Equal("test tag", Assert.Single(RunRecords(Build(Ruby(enableRuby), ("message", "${tag_parts[0]} ${tag_parts[-1]}")), PlaceholderRecords("")))["message"]);

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Tag_prefix_and_tag_suffix(string enableRuby)
    {
        _tag = "prefix.test.tag.suffix";
        var filter = Build(Ruby(enableRuby), ("message", "${tag_prefix[1]} ${tag_prefix[-2]} ${tag_suffix[2]} ${tag_suffix[-3]}"));
        Assert.Equal("prefix.test prefix.test.tag tag.suffix test.tag.suffix", Assert.Single(RunRecords(filter, PlaceholderRecords("")))["message"]);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Time_is_ruby_time_to_s(string enableRuby) =>
        // With enable_ruby fluentd stores a Time object; LogAgent stores the same text its to_s gives.
        Assert.Equal(TimeText, Assert.Single(RunRecords(Build(Ruby(enableRuby), ("message", "${time}")), PlaceholderRecords("")))["message"]);

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Record_keys(string enableRuby)
    {
        var filter = Build(Ruby(enableRuby, ("remove_keys", "eventType0")),
            ("message", "bar ${record[\"message\"]}"), ("eventtype", "${record[\"eventType0\"]}"));
        var result = RunRecords(filter, PlaceholderRecords("1", "2"));
        AssertRecord(new Record { ["message"] = "bar 1", ["eventtype"] = "bar" }, result[0]);
        AssertRecord(new Record { ["message"] = "bar 2", ["eventtype"] = "bar" }, result[1]);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Reserved_names_in_the_record_do_not_shadow_placeholders(string enableRuby)
    {
        var filter = Build(Ruby(enableRuby), ("new_tag", "${tag}"), ("new_record_tag", "${record[\"tag\"]}"));
        var result = RunRecords(filter, new[] { new Record { ["tag"] = "tag", ["time"] = "time" } });
        AssertRecord(new Record { ["tag"] = "tag", ["time"] = "time", ["new_tag"] = "test.tag", ["new_record_tag"] = "tag" }, Assert.Single(result));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Hash_values_with_placeholders(string enableRuby)
    {
        var filter = Build(Ruby(enableRuby), ("hash_field", "{\n  \"hostname\":\"${hostname}\",\n  \"tag\":\"${tag}\",\n  \"${tag}\":100\n}"));
        var result = RunRecords(filter, PlaceholderRecords("1"));
        AssertRecord(new Record { ["hostname"] = Hostname, ["tag"] = "test.tag", ["test.tag"] = 100L }, (Record)Assert.Single(result)["hash_field"]!);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Array_values_with_placeholders(string enableRuby)
    {
        var result = RunRecords(Build(Ruby(enableRuby), ("array_field", "[\"${hostname}\", \"${tag}\"]")), PlaceholderRecords("1"));
        Assert.Equal(new object?[] { Hostname, "test.tag" }, (List<object?>)Assert.Single(result)["array_field"]!);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Array_and_hash_values_with_placeholders(string enableRuby)
    {
        var result = RunRecords(Build(Ruby(enableRuby), ("mixed_field", "[{\"tag\":\"${tag}\"}]")), PlaceholderRecords("1"));
        Assert.Equal("[{\"tag\"=>\"test.tag\"}]", RubyValueText.Inspect(Assert.Single(result)["mixed_field"]));
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Keys_with_placeholders(string enableRuby)
    {
        var filter = Build(Ruby(enableRuby, ("renew_record", "true")), ("${hostname}", "hostname"), ("foo.${tag}", "tag"));
        var result = RunRecords(filter, PlaceholderRecords("1", "2"));
        Assert.All(result, r => AssertRecord(new Record { [Hostname] = "hostname", ["foo.test.tag"] = "tag" }, r));
    }

    private static readonly Record[] SourceRecords =
    {
        new() { ["source"] = "string" },
        new() { ["source"] = 123L },
        new() { ["source"] = new List<object?> { 1L, 2L } },
        new() { ["source"] = new Record { ["a"] = 1L, ["b"] = 2L } },
        new() { ["source"] = null },
    };

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Disabled_typecasting_of_values(string enableRuby)
    {
        var filter = Build(Ruby(enableRuby, ("auto_typecast", "false")),
            ("single", "${record[\"source\"]}"),
            ("multiple", "${record[\"source\"]}${record[\"source\"]}"),
            ("with_prefix", "prefix-${record[\"source\"]}"),
            ("with_suffix", "${record[\"source\"]}-suffix"),
            ("with_quote", "record[\"source\"][\"\"]"));
        var result = RunRecords(filter, SourceRecords);
        string[] texts = { "string", "123", "[1, 2]", "{\"a\"=>1, \"b\"=>2}", "" };
        for (int i = 0; i < texts.Length; i++)
        {
            var t = texts[i];
            AssertRecord(new Record
            {
                ["source"] = SourceRecords[i]["source"],
                ["single"] = t,
                ["multiple"] = t + t,
                ["with_prefix"] = "prefix-" + t,
                ["with_suffix"] = t + "-suffix",
                ["with_quote"] = "record[\"source\"][\"\"]",
            }, result[i]);
        }
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Enabled_typecasting_of_values(string enableRuby)
    {
        var filter = Build(Ruby(enableRuby, ("auto_typecast", "yes")),
            ("single", "${record[\"source\"]}"),
            ("multiple", "${record[\"source\"]}${record[\"source\"]}"),
            ("with_prefix", "prefix-${record[\"source\"]}"),
            ("with_suffix", "${record[\"source\"]}-suffix"));
        var result = RunRecords(filter, SourceRecords);
        string[] texts = { "string", "123", "[1, 2]", "{\"a\"=>1, \"b\"=>2}", "" };
        for (int i = 0; i < texts.Length; i++)
        {
            var t = texts[i];
            AssertRecord(new Record
            {
                ["source"] = SourceRecords[i]["source"],
                ["single"] = SourceRecords[i]["source"],
                ["multiple"] = t + t,
                ["with_prefix"] = "prefix-" + t,
                ["with_suffix"] = t + "-suffix",
            }, result[i]);
        }
        Assert.IsType<long>(result[1]["single"]);
        Assert.Null(result[4]["single"]);
    }

    [Fact]
    public void Unknown_placeholder_expands_to_nil_and_is_reported()
    {
        var filter = Build(P(("enable_ruby", "no")), ("message", "${unknown}"), ("text", "a${unknown}b __FOO__"));
        var result = Assert.Single(RunRecords(filter, PlaceholderRecords("x")));
        Assert.True(result.ContainsKey("message"));
        Assert.Null(result["message"]);
        Assert.Equal("ab ", result["text"]);
        Assert.Contains(_harness.Log.Warnings, w => w.StartsWith("unknown placeholder `${unknown}` found"));
        Assert.Contains(_harness.Log.Warnings, w => w.StartsWith("unknown placeholder `__FOO__` found"));
    }

    [Fact]
    public void Missing_record_key_warns_for_each_event()
    {
        var filter = Build(P(), ("v", "${record[\"nope\"]}"));
        RunRecords(filter, PlaceholderRecords("1", "2"));
        Assert.Equal(2, _harness.Log.Warnings.Count(w => w == "unknown placeholder `${record[\"nope\"]}` found"));
    }

    [Fact]
    public void Tag_part_out_of_range_is_unknown()
    {
        var result = Assert.Single(RunRecords(Build(P(), ("v", "<${tag_parts[2]}>"), ("w", "${tag_parts[-3]}")), PlaceholderRecords("")));
        Assert.Equal("<>", result["v"]);
        Assert.Null(result["w"]);
    }

    [Fact]
    public void Expands_fields_starting_with_at_sign()
    {
        var result = RunRecords(Build(P(("enable_ruby", "no")), ("foo", "${record[\"@timestamp\"]}")), new[] { new Record { ["@timestamp"] = "foo" } });
        Assert.Equal("foo", Assert.Single(result)["foo"]);
    }

    [Fact]
    public void Ruby_block_in_placeholder_is_refused_at_configuration()
    {
        // fluentd: foo ${record.map{|k,v|v}} gives ["foo"]; LogAgent refuses arbitrary Ruby.
        var e = Assert.Throws<ConfigException>(() => Build(P(("enable_ruby", "yes"), ("auto_typecast", "yes")), ("foo", "${record.map{|k,v|v}}")));
        Assert.Contains("record.map{|k,v|v}", e.Message);
    }

    [Fact]
    public void Ruby_expression_indexing_nil_sends_the_event_to_error()
    {
        var filter = Build(P(("enable_ruby", "yes")), ("foo", "${record[\"unknown\"][\"key\"]}"));
        var input = new Record { ["key"] = "value" };
        Assert.Empty(Run(filter, new[] { input }));
        var error = Assert.Single(_harness.Context.Errors);
        Assert.Equal("test.tag", error.Tag);
        AssertRecord(input, error.Record);
        Assert.IsType<InvalidOperationException>(error.Error);
    }

    // ---- LogAgent's reading of placeholders beyond the fluentd test file ----

    [Theory]
    [InlineData("yes")]
    [InlineData("no")]
    public void Nested_record_access(string enableRuby)
    {
        var filter = Build(Ruby(enableRuby), ("pod", "${record[\"k8s\"][\"pod\"]}"), ("first", "x${record[\"list\"][0]}"));
        var record = new Record { ["k8s"] = new Record { ["pod"] = "web-1" }, ["list"] = new List<object?> { 7L } };
        var result = Assert.Single(RunRecords(filter, new[] { record }));
        Assert.Equal("web-1", result["pod"]);
        Assert.Equal("x7", result["first"]);
    }

    [Fact]
    public void Ruby_expression_with_single_quotes_and_out_of_range_index()
    {
        var filter = Build(P(("enable_ruby", "true")), ("a", "${record['message']}"), ("b", "${tag_parts[5]}"), ("c", "${ tag_parts[ -1 ] }!"));
        var result = Assert.Single(RunRecords(filter, PlaceholderRecords("m")));
        Assert.Equal("m", result["a"]);
        Assert.Null(result["b"]);
        Assert.Equal("tag!", result["c"]);
    }

    [Fact]
    public void Legacy_key_placeholder_is_unknown_in_fluentd_v1()
    {
        // ${message} was a record-field shortcut in fluentd v0.12 only; v1's table has no such entry.
        var result = Assert.Single(RunRecords(Build(P(), ("copy", "${message}")), PlaceholderRecords("m")));
        Assert.Null(result["copy"]);
    }

    [Fact]
    public void Placeholders_read_the_incoming_record_not_the_new_one()
    {
        var filter = Build(P(), ("message", "new"), ("copy", "${record[\"message\"]}"));
        var result = Assert.Single(RunRecords(filter, PlaceholderRecords("old")));
        Assert.Equal("new", result["message"]);
        Assert.Equal("old", result["copy"]);
    }

    [Fact]
    public void Key_placeholder_with_non_string_value_becomes_its_to_s()
    {
        var result = Assert.Single(RunRecords(Build(P(), ("k_${record[\"n\"]}", "v")), new[] { new Record { ["n"] = 5L } }));
        Assert.Equal("v", result["k_5"]);
    }

    [Fact]
    public void Time_is_formatted_in_the_configured_zone()
    {
        var filter = Build(P(), ("t", "${time}"));
        filter.TimeZone = TimeZoneInfo.CreateCustomTimeZone("plus9", TimeSpan.FromHours(9), "plus9", "plus9");
        Assert.Equal("2010-05-04 12:02:01 +0900", Assert.Single(RunRecords(filter, PlaceholderRecords("")))["t"]);
    }

    [Fact]
    public void Unsupported_ruby_names_the_line_of_the_record_entry()
    {
        var section = Filter("record_transformer", ("enable_ruby", "true"));
        var record = new ConfigSection("record", "", "app.conf", 40);
        record.Add(new ConfigParameter("x", "${Time.now}", "app.conf", 41));
        section.Add(record);
        var e = Assert.Throws<ConfigException>(() => _harness.Build<RecordTransformerFilter>(section));
        Assert.Equal("app.conf", e.File);
        Assert.Equal(41, e.Line);
        Assert.Contains("<record> key 'x'", e.Message);
        Assert.Contains("`Time.now`", e.Message);
    }
}
