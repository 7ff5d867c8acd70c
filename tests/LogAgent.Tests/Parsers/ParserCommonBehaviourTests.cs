using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using static LogAgent.Tests.Parsers.ParserBuilder;

namespace LogAgent.Tests.Parsers;

/// <summary>What every parser does with the common parameters (fluentd's lib/fluent/plugin/parser.rb).</summary>
public class ParserCommonBehaviourTests
{
    [Fact]
    public void Types_convert_values_as_ruby_does()
    {
        var parser = Build("ltsv", ("types", "i:integer,f:float,b:bool,n:bool,s:string,a:array,p:array:|,bad:integer"));
        var (_, record) = parser.Parse("i:42ms\tf:1.5\tb:yes\tn:no\ts:x\ta:1,2,3\tp:x|y\tbad:abc");
        Assert.Equal(Expect(("i", 42L), ("f", 1.5), ("b", true), ("n", false), ("s", "x"),
            ("a", new List<object?> { "1", "2", "3" }), ("p", new List<object?> { "x", "y" }), ("bad", 0L)), record);
    }

    [Fact]
    public void Time_type_conversion_with_format_and_timezone()
    {
        var parser = Build("ltsv", ("types", "t1:time:%d/%b/%Y:%H:%M:%S %z,t2:time:+09:00:%Y-%m-%d %H:%M:%S,t3:time:unixtime,t4:time:%Y"));
        var (_, record) = parser.Parse("t1:28/Feb/2013:12:00:00 +0900\tt2:2013-02-28 12:00:00\tt3:1362020400\tt4:never");
        var expected = new EventTime(1362020400, 0);
        Assert.Equal(expected, record["t1"]);
        Assert.Equal(expected, record["t2"]);
        Assert.Equal(expected, record["t3"]);
        Assert.Null(record["t4"]);
    }

    [Fact]
    public void Unknown_type_is_a_config_error()
    {
        Assert.Throws<ConfigException>(() => Build("ltsv", ("types", "a:decimal")));
    }

    [Fact]
    public void Null_value_pattern_and_null_empty_string()
    {
        var parser = Build("ltsv", ("null_value_pattern", "^(-|null)$"), ("null_empty_string", "true"), ("types", "n:integer"));
        var (_, record) = parser.Parse("a:-\tb:null\tc:\td:x-y\tn:-");
        Assert.Equal(Expect(("a", null), ("b", null), ("c", null), ("d", "x-y"), ("n", null)), record);
    }

    [Fact]
    public void Keep_time_key_and_custom_time_key()
    {
        var parser = Build("ltsv", ("time_key", "ts"), ("keep_time_key", "true"), ("time_type", "unixtime"));
        var (time, record) = parser.Parse("ts:1362020400\ta:1");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.Equal(Expect(("ts", "1362020400"), ("a", "1")), record);
    }

    [Fact]
    public void Timezone_applies_to_times_without_an_offset()
    {
        var parser = Build("ltsv", ("time_format", "%Y-%m-%d %H:%M:%S"), ("timezone", "Asia/Tokyo"));
        Assert.Equal(new EventTime(1362020400, 0), parser.Parse("time:2013-02-28 12:00:00").Time);
    }

    [Fact]
    public void Time_without_format_is_guessed()
    {
        var parser = Build("ltsv", ("utc", "true"));
        Assert.Equal(new EventTime(1362020400, 500000000), parser.Parse("time:2013-02-28T12:00:00.5+09:00").Time);
        Assert.Equal(new EventTime(1362020400, 0), parser.Parse("time:2013-02-28 03:00:00").Time);
    }

    [Fact]
    public void Utc_and_localtime_together_are_a_config_error()
    {
        Assert.Throws<ConfigException>(() => Build("ltsv", ("utc", "true"), ("localtime", "true")));
    }

    [Fact]
    public void Bad_timezone_is_a_config_error()
    {
        Assert.Throws<ConfigException>(() => Build("ltsv", ("timezone", "Nowhere/Special")));
    }
}
