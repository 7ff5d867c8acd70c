using System.Text.Json;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Tests.Text;

/// <summary>Records to and from JSON with fluentd's conventions.</summary>
public class RecordJsonTests
{
    [Fact]
    public void Reading_keeps_integers_and_floats_apart()
    {
        var record = Assert.IsType<Record>(RecordJson.Parse("""{"i":1,"f":1.0,"e":1e3,"big":18446744073709551615,"a":[true,null,"x"]}"""));
        Assert.Equal(1L, record["i"]);
        Assert.Equal(1.0, record["f"]);
        Assert.Equal(1000.0, record["e"]);
        Assert.Equal(ulong.MaxValue, record["big"]);
        Assert.Equal(new List<object?> { true, null, "x" }, record["a"]);
    }

    [Theory]
    [InlineData("{\"a\":")]
    [InlineData("{} x")]
    [InlineData("")]
    public void Invalid_json_throws_and_TryParse_says_false(string json)
    {
        Assert.ThrowsAny<JsonException>(() => RecordJson.Parse(json));
        Assert.False(RecordJson.TryParse(json, out _));
    }

    [Fact]
    public void Writing_follows_fluentd()
    {
        var record = new Record
        {
            ["f"] = 100.0, ["big"] = 1e16, ["nan"] = double.NaN, ["t"] = new EventTime(1700000000, 5),
            ["s"] = "café \"q\"\n", ["b"] = "bin"u8.ToArray(), ["n"] = new Record { ["l"] = new List<object?> { 1L } },
        };
        Assert.Equal("""{"f":100.0,"big":1.0e+16,"nan":null,"t":1700000000,"s":"café \"q\"\n","b":"bin","n":{"l":[1]}}""",
            RecordJson.Serialize(record));
    }

    [Fact]
    public void What_is_read_writes_back_the_same()
    {
        const string json = """{"a":1,"b":1.5,"c":[{"d":null}],"e":"x"}""";
        Assert.True(RecordJson.TryParse(json, out var value));
        Assert.Equal(json, RecordJson.Serialize(value));
    }
}
