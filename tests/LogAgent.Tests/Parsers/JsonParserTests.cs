using LogAgent.Sdk.Events;
using static LogAgent.Tests.Parsers.ParserBuilder;

namespace LogAgent.Tests.Parsers;

public class JsonParserTests
{
    [Fact]
    public void Takes_a_numeric_time_and_keeps_integer_and_float_apart()
    {
        var (time, record) = Build("json").Parse("{\"time\":1362020400,\"host\":\"192.168.0.1\",\"size\":777,\"ratio\":0.5,\"ok\":true,\"none\":null}");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.Equal(Expect(("host", "192.168.0.1"), ("size", 777L), ("ratio", 0.5), ("ok", true), ("none", null)), record);
    }

    [Fact]
    public void Reads_a_float_time_with_its_fraction()
    {
        var (time, _) = Build("json").Parse("{\"time\":1362020400.25,\"a\":1}");
        Assert.Equal(new EventTime(1362020400, 250000000), time);
    }

    [Fact]
    public void Reads_a_string_time_with_time_format()
    {
        var (time, record) = Build("json", ("time_format", "%d/%b/%Y:%H:%M:%S %z"))
            .Parse("{\"time\":\"28/Feb/2013:12:00:00 +0900\",\"a\":1}");
        Assert.Equal(new EventTime(1362020400, 0), time);
        Assert.False(record.ContainsKey("time"));
    }

    [Fact]
    public void Keeps_nested_objects_and_arrays()
    {
        var (_, record) = Build("json").Parse("{\"a\":{\"b\":[1,\"x\",2.5]}}");
        var nested = Assert.IsType<Record>(record["a"]);
        Assert.Equal(new List<object?> { 1L, "x", 2.5 }, nested["b"]);
    }

    [Fact]
    public void Uses_now_without_a_time_key_and_none_without_estimate_current_event()
    {
        Assert.Equal(EventTime.FromDateTimeOffset(Now), Build("json").Parse("{\"a\":1}").Time);
        Assert.Null(Build("json", ("estimate_current_event", "false")).Parse("{\"a\":1}").Time);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{\"a\":1} trailing")]
    public void Rejects_anything_but_one_object(string text)
    {
        Assert.False(Build("json").TryParse(text, out _, out _));
    }

    [Fact]
    public void Rejects_a_time_that_is_not_a_time()
    {
        Assert.False(Build("json", ("time_format", "%Y-%m-%d")).TryParse("{\"time\":\"yesterday\"}", out _, out _));
    }
}
