using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Tests.Text;

/// <summary>Ruby's to_s/inspect of record values (values checked against Ruby 3.2), and the formatters' JSON variant.</summary>
public class RubyValueTextTests
{
    [Fact]
    public void To_s_of_record_values()
    {
        Assert.Equal("", RubyValueText.RubyToS(null));
        Assert.Equal("abc", RubyValueText.RubyToS("abc"));
        Assert.Equal("true", RubyValueText.RubyToS(true));
        Assert.Equal("-12", RubyValueText.RubyToS(-12L));
        Assert.Equal("[1, \"a\", nil, 2.0]", RubyValueText.RubyToS(new List<object?> { 1L, "a", null, 2.0 }));
        Assert.Equal("{\"k\"=>{\"n\"=>[]}, \"q\"=>\"say \\\"hi\\\"\\n\"}",
            RubyValueText.RubyToS(new Record { ["k"] = new Record { ["n"] = new List<object?>() }, ["q"] = "say \"hi\"\n" }));
    }

    [Fact]
    public void Formatter_to_s_writes_maps_and_arrays_as_json_and_scalars_as_ruby()
    {
        Assert.Equal("[1,\"a\",null,2.0]", RubyValueText.ToS(new List<object?> { 1L, "a", null, 2.0 }));
        Assert.Equal("{\"k\":{\"n\":[]}}", RubyValueText.ToS(new Record { ["k"] = new Record { ["n"] = new List<object?>() } }));
        Assert.Equal("abc", RubyValueText.ToS("abc"u8.ToArray()));
        Assert.Equal("", RubyValueText.ToS(null));
        Assert.Equal("1.0e+16", RubyValueText.ToS(1e16));
    }
}
