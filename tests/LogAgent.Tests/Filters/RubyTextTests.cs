using LogAgent.Core.Plugins.Filters;
using LogAgent.Sdk.Events;

namespace LogAgent.Tests.Filters;

/// <summary>Ruby's to_f, Time#to_s and String#split as fluentd's filters see them (values checked against Ruby 3.2).</summary>
public class RubyTextTests
{
    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("  42abc", 42.0)]
    [InlineData("1_000.5", 1000.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData("1e", 1.0)]
    [InlineData(".5", 0.0)]
    [InlineData("abc", 0.0)]
    [InlineData("-3", -3.0)]
    public void String_to_f(string text, double expected) => Assert.Equal(expected, RubyText.StringToF(text));

    [Fact]
    public void Time_to_s_uses_the_zone_offset()
    {
        var time = new EventTime(1272942121, 0);
        Assert.Equal("2010-05-04 03:02:01 +0000", RubyText.TimeToS(time, TimeZoneInfo.Utc));
        var minus = TimeZoneInfo.CreateCustomTimeZone("m", TimeSpan.FromMinutes(-210), "m", "m");
        Assert.Equal("2010-05-03 23:32:01 -0330", RubyText.TimeToS(time, minus));
    }

    [Theory]
    [InlineData("a.b.c", new[] { "a", "b", "c" })]
    [InlineData("a..b", new[] { "a", "", "b" })]
    [InlineData("a.b..", new[] { "a", "b" })]
    [InlineData("", new string[0])]
    public void Split_drops_trailing_empty_fields(string text, string[] expected) => Assert.Equal(expected, RubyText.Split(text, '.'));
}
