using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Tests.Text;

public class EventTimeParserTests
{
    [Theory]
    [InlineData("1362020400.123", 1362020400u, 123000000u)]
    [InlineData("1362020400", 1362020400u, 0u)]
    [InlineData("1362020400.123456789999", 1362020400u, 123456789u)]
    public void Float_type_reads_the_digits_after_the_dot_as_nanoseconds(string text, uint seconds, uint nanoseconds)
    {
        var parser = new EventTimeParser("float", null, RubyTimeZone.Utc);
        Assert.True(parser.TryParse(text, out var time));
        Assert.Equal(new EventTime(seconds, nanoseconds), time);
    }

    [Fact]
    public void Float_type_reads_json_numbers()
    {
        var parser = new EventTimeParser("float", null, RubyTimeZone.Utc);
        Assert.True(parser.TryParse(1362020400.5, out var t1));
        Assert.Equal(new EventTime(1362020400, 500000000), t1);
        Assert.True(parser.TryParse(1362020400L, out var t2));
        Assert.Equal(new EventTime(1362020400, 0), t2);
    }

    [Fact]
    public void Unixtime_type_drops_the_fraction()
    {
        var parser = new EventTimeParser("unixtime", null, RubyTimeZone.Utc);
        Assert.True(parser.TryParse("1362020400.9", out var time));
        Assert.Equal(new EventTime(1362020400, 0), time);
    }

    [Fact]
    public void String_type_rejects_numbers()
    {
        var parser = new EventTimeParser("string", "%s", RubyTimeZone.Utc);
        Assert.False(parser.TryParse(1362020400L, out _));
        Assert.True(parser.TryParse("1362020400", out _));
    }

    [Fact]
    public void Iso8601_pseudo_format_reads_iso_times_only()
    {
        var parser = new EventTimeParser("string", "%iso8601", RubyTimeZone.Utc);
        Assert.True(parser.TryParse("2013-02-28T12:00:00+09:00", out var time));
        Assert.Equal(1362020400u, time.Seconds);
        Assert.False(parser.TryParse("28/Feb/2013:12:00:00 +0900", out _));
    }

    [Theory]
    [InlineData("string", null, "utc", "2013-02-28T03:00:00Z")]
    [InlineData("string", null, "+09:00", "2013-02-28T12:00:00+09:00")]
    [InlineData("string", "%Y%m%d %H%M%S.%L", "+09:00", "20130228 120000.123")]
    [InlineData("unixtime", null, "utc", "1362020400")]
    [InlineData("float", null, "utc", "1362020400.123")]
    public void Formats_times_as_fluentd_TimeFormatter(string type, string? format, string zone, string expected)
    {
        var formatter = new EventTimeFormatter(type, format, zone == "utc" ? RubyTimeZone.Utc : RubyTimeZone.Parse(zone));
        Assert.Equal(expected, formatter.Format(new EventTime(1362020400, 123000000)));
    }
}
