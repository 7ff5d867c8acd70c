using LogAgent.Core.Plugins.Filters;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Text;

namespace LogAgent.Tests.Filters;

/// <summary>fluentd's test/plugin_helper/test_record_accessor.rb, ported, plus the Hash#dig edge cases.</summary>
public class RecordAccessorTests
{
    [Theory]
    [InlineData("key1")]
    [InlineData("ke y2")]
    [InlineData("this.is.key3")]
    public void Plain_parameter_is_one_top_level_key(string parameter) =>
        Assert.Equal(new object[] { parameter }, RecordAccessor.Parse(parameter).Keys);

    [Fact]
    public void Bracket_keys_may_contain_dots() =>
        Assert.Equal(new object[] { "key1", "this.is.key3" }, RecordAccessor.Parse("$['key1']['this.is.key3']").Keys);

    [Theory]
    [InlineData("$.key1.key2[0]")]
    [InlineData("$['key1']['key2'][0]")]
    [InlineData("$[\"key1\"][\"key2\"][0]")]
    public void Nested_keys_key1_key2_0(string parameter) =>
        Assert.Equal(new object[] { "key1", "key2", 0 }, RecordAccessor.Parse(parameter).Keys);

    [Theory]
    [InlineData("$['key1'][0]['ke y2']")]
    [InlineData("$[\"key1\"][0][\"ke y2\"]")]
    public void Nested_keys_key1_0_key_with_space(string parameter) =>
        Assert.Equal(new object[] { "key1", 0, "ke y2" }, RecordAccessor.Parse(parameter).Keys);

    [Theory]
    [InlineData("$.[0].key1.[1].key2")]
    [InlineData("$[0]['key1'][1]['key2']")]
    [InlineData("$[0][\"key1\"][1][\"key2\"]")]
    public void Nested_keys_starting_with_an_index(string parameter) =>
        Assert.Equal(new object[] { 0, "key1", 1, "key2" }, RecordAccessor.Parse(parameter).Keys);

    [Theory]
    [InlineData("$['key1'")]
    [InlineData("$.hello[]")]
    [InlineData("$[]")]
    [InlineData("$['hello'][]")]
    [InlineData("$.key1[0]foo")]
    [InlineData("$.key[0].ke y")]
    [InlineData("$.")]
    [InlineData("$[")]
    [InlineData("$['key1']['key2\"]")]
    [InlineData("$[\"key1\"][\"key2']")]
    [InlineData("$.a[x]")]
    public void Invalid_syntax_is_a_config_error(string parameter) =>
        Assert.Throws<ConfigException>(() => RecordAccessor.Parse(parameter));

    private static Record Flat() => new() { ["key1"] = "v1", ["ke y2"] = "v2", ["this.is.key3"] = "v3" };

    [Theory]
    [InlineData("key1", "v1")]
    [InlineData("ke y2", "v2")]
    [InlineData("this.is.key3", "v3")]
    [InlineData("$[\"this.is.key3\"]", "v3")]
    public void Get_single_key(string parameter, string expected) =>
        Assert.Equal(expected, RecordAccessor.Parse(parameter).Get(Flat()));

    [Fact]
    public void Get_nested_bracket_key_with_dot() =>
        Assert.Equal("value", RecordAccessor.Parse("$['key1']['this.is.key3']").Get(new Record { ["key1"] = new Record { ["this.is.key3"] = "value" } }));

    [Theory]
    [InlineData("$.key1.key2[0]")]
    [InlineData("$['key1']['key2'][0]")]
    [InlineData("$[\"key1\"][\"key2\"][0]")]
    public void Get_array_element(string parameter) =>
        Assert.Equal(1L, RecordAccessor.Parse(parameter).Get(new Record { ["key1"] = new Record { ["key2"] = new List<object?> { 1L, 2L, 3L } } }));

    [Theory]
    [InlineData("$['key1'][0]['ke y2']")]
    [InlineData("$[\"key1\"][0][\"ke y2\"]")]
    public void Get_through_array(string parameter) =>
        Assert.Equal("value", RecordAccessor.Parse(parameter).Get(new Record { ["key1"] = new List<object?> { new Record { ["ke y2"] = "value" } } }));

    [Fact]
    public void Get_negative_index_counts_from_the_end() =>
        Assert.Equal(3L, RecordAccessor.Parse("$.a[-1]").Get(new Record { ["a"] = new List<object?> { 1L, 2L, 3L } }));

    [Theory]
    [InlineData("missing")]
    [InlineData("$.missing.deeper")]
    [InlineData("$.a[5]")]
    [InlineData("$.n.x")]
    public void Get_missing_is_null(string parameter) =>
        Assert.Null(RecordAccessor.Parse(parameter).Get(new Record { ["a"] = new List<object?> { 1L }, ["n"] = null }));

    [Theory]
    [InlineData("$.s.x")]
    [InlineData("$.a.x")]
    [InlineData("$.i[0]")]
    public void Get_into_a_scalar_or_array_by_name_throws_like_dig(string parameter) =>
        Assert.Throws<RecordAccessException>(() => RecordAccessor.Parse(parameter).Get(new Record { ["s"] = "text", ["a"] = new List<object?>(), ["i"] = 1L }));

    [Theory]
    [InlineData("key1")]
    [InlineData("ke y2")]
    [InlineData("this.is.key3")]
    [InlineData("$[\"this.is.key3\"]")]
    public void Remove_top_key(string parameter)
    {
        var record = Flat();
        var accessor = RecordAccessor.Parse(parameter);
        Assert.True(accessor.Remove(record));
        Assert.False(record.ContainsKey((string)accessor.Keys[0]));
        Assert.Equal(2, record.Count);
    }

    [Theory]
    [InlineData("$['key1'][0]['ke y2']")]
    [InlineData("$[\"key1\"][0][\"ke y2\"]")]
    public void Remove_nested_key(string parameter)
    {
        var inner = new Record { ["ke y2"] = "value", ["other"] = 1L };
        var record = new Record { ["key1"] = new List<object?> { inner } };
        Assert.True(RecordAccessor.Parse(parameter).Remove(record));
        Assert.Equal(new[] { "other" }, inner.Keys);
    }

    [Fact]
    public void Remove_array_element()
    {
        var list = new List<object?> { 1L, 2L, 3L };
        Assert.True(RecordAccessor.Parse("$.a[-1]").Remove(new Record { ["a"] = list }));
        Assert.Equal(new object?[] { 1L, 2L }, list);
    }

    [Fact]
    public void Remove_on_an_unexpected_record_does_nothing()
    {
        var record = new Record { ["key1"] = new List<object?> { new Record { ["key3"] = "value" } } };
        Assert.False(RecordAccessor.Parse("$['key1']['key2']['key3']").Remove(record));
        Assert.Equal("{\"key1\"=>[{\"key3\"=>\"value\"}]}", RubyValueText.Inspect(record));
    }
}
