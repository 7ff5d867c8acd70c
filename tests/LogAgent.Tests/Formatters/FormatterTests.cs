using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Plugins;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Formatters;

/// <summary>Each formatter's exact output for the same event, built through the real registry and binder.</summary>
public class FormatterTests
{
    // 2013-02-28T03:00:00.5Z = 12:00:00.5 at +09:00
    private static readonly EventTime Time = new(1362020400, 500000000);

    private static Record Sample() => new()
    {
        ["host"] = "192.168.0.1",
        ["code"] = 200L,
        ["ratio"] = 0.5,
        ["msg"] = "say \"hi\"\tnow\n",
        ["none"] = null,
    };

    private static string Format(string type, Record record, params (string Key, string Value)[] parameters) =>
        new TestPluginContext().Build<FormatterPlugin>(PluginKind.Formatter, type, parameters).FormatToString("app.access", Time, record);

    [Fact]
    public void Json_writes_one_compact_line()
    {
        Assert.Equal("{\"host\":\"192.168.0.1\",\"code\":200,\"ratio\":0.5,\"msg\":\"say \\\"hi\\\"\\tnow\\n\",\"none\":null}\n", Format("json", Sample()));
    }

    [Fact]
    public void Json_without_newline_and_with_crlf()
    {
        var record = new Record { ["a"] = 1L };
        Assert.Equal("{\"a\":1}", Format("json", record, ("add_newline", "false")));
        Assert.Equal("{\"a\":1}\r\n", Format("json", record, ("newline", "crlf")));
    }

    [Fact]
    public void Json_writes_non_ascii_as_utf8_nested_values_and_floats_as_ruby()
    {
        var record = new Record { ["name"] = "日本語 😀", ["list"] = new List<object?> { 1L, 2.0, true }, ["nested"] = new Record { ["t"] = new EventTime(5, 0) } };
        Assert.Equal("{\"name\":\"日本語 😀\",\"list\":[1,2.0,true],\"nested\":{\"t\":5}}\n", Format("json", record));
    }

    [Fact]
    public void Ltsv_writes_label_value_pairs()
    {
        var record = new Record { ["host"] = "192.168.0.1", ["code"] = 200L, ["none"] = null };
        Assert.Equal("host:192.168.0.1\tcode:200\tnone:\n", Format("ltsv", record));
        Assert.Equal("host=192.168.0.1,code=200,none=", Format("ltsv", record, ("delimiter", ","), ("label_delimiter", "="), ("add_newline", "false")));
    }

    [Fact]
    public void Msgpack_writes_the_record_map()
    {
        var record = new Record { ["a"] = 1L, ["b"] = "x" };
        var bytes = new TestPluginContext().Build<FormatterPlugin>(PluginKind.Formatter, "msgpack").FormatToBytes("t", Time, record);
        Assert.Equal(new byte[] { 0x82, 0xa1, (byte)'a', 0x01, 0xa1, (byte)'b', 0xa1, (byte)'x' }, bytes);
    }

    [Fact]
    public void Out_file_writes_iso_time_tag_and_json()
    {
        var record = new Record { ["a"] = 1L };
        Assert.Equal("2013-02-28T03:00:00Z\tapp.access\t{\"a\":1}\n", Format("out_file", record, ("utc", "true")));
        Assert.Equal("2013-02-28T12:00:00+09:00\tapp.access\t{\"a\":1}\n", Format("out_file", record, ("timezone", "+09:00")));
    }

    [Fact]
    public void Out_file_options()
    {
        var record = new Record { ["a"] = 1L };
        Assert.Equal("1362020400,{\"a\":1}\n", Format("out_file", record, ("time_type", "unixtime"), ("output_tag", "false"), ("delimiter", "COMMA")));
        Assert.Equal("1362020400.5 app.access {\"a\":1}\n", Format("out_file", record, ("time_type", "float"), ("delimiter", "SPACE")));
        Assert.Equal("app.access\t{\"a\":1}\n", Format("out_file", record, ("output_time", "false")));
        Assert.Equal("20130228 03:00:00.500\tapp.access\t{\"a\":1}\n", Format("out_file", record, ("time_format", "%Y%m%d %H:%M:%S.%L"), ("utc", "true")));
    }

    [Fact]
    public void Out_file_rejects_utc_with_localtime()
    {
        Assert.Throws<ConfigException>(() => Format("out_file", new Record(), ("utc", "true"), ("localtime", "false")));
    }

    [Fact]
    public void Single_value_writes_the_message_only()
    {
        Assert.Equal("hello\n", Format("single_value", new Record { ["message"] = "hello", ["x"] = 1L }));
        Assert.Equal("200", Format("single_value", Sample(), ("message_key", "code"), ("add_newline", "false")));
        Assert.Equal("\n", Format("single_value", new Record()));
    }

    [Fact]
    public void Csv_quotes_every_field_by_default()
    {
        Assert.Equal("\"192.168.0.1\",\"200\",\"say \"\"hi\"\"\tnow\n\",\"\",\"\"\n", Format("csv", Sample(), ("fields", "host,code,msg,none,missing")));
    }

    [Fact]
    public void Csv_without_force_quotes_quotes_only_when_needed()
    {
        var record = new Record { ["a"] = "plain", ["b"] = "x,y", ["c"] = "", ["d"] = null, ["e"] = 1.5 };
        Assert.Equal("plain,\"x,y\",\"\",,1.5\n", Format("csv", record, ("fields", "a,b,c,d,e"), ("force_quotes", "false")));
        Assert.Equal("plain\tx,y", Format("csv", record, ("fields", "a,b"), ("force_quotes", "false"), ("delimiter", "TAB"), ("add_newline", "false")));
    }

    [Fact]
    public void Csv_requires_fields()
    {
        Assert.Throws<ConfigException>(() => Format("csv", new Record()));
    }

    [Fact]
    public void Tsv_writes_chosen_keys()
    {
        Assert.Equal("192.168.0.1\t200\t\n", Format("tsv", Sample(), ("keys", "host,code,missing")));
    }
}
