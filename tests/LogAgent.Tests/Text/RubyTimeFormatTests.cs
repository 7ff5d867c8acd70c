using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Tests.Text;

public class RubyTimeFormatTests
{
    // 2013-02-28T03:00:00.123456789Z, i.e. 12:00:00 at +09:00 (the time in fluentd's parser tests).
    private static readonly EventTime Sample = new(1362020400, 123456789);
    private static readonly RubyTimeZone Tokyo = RubyTimeZone.Parse("+09:00");
    private static readonly DateTimeOffset Now = new(2013, 3, 10, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("%Y-%m-%d %H:%M:%S", "2013-02-28 12:00:00")]
    [InlineData("%Y%m%d", "20130228")]
    [InlineData("%d/%b/%Y:%H:%M:%S %z", "28/Feb/2013:12:00:00 +0900")]
    [InlineData("%Y-%m-%dT%H:%M:%S%:z", "2013-02-28T12:00:00+09:00")]
    [InlineData("%::z", "+09:00:00")]
    [InlineData("%L", "123")]
    [InlineData("%N", "123456789")]
    [InlineData("%3N|%6N", "123|123456")]
    [InlineData("%b %B %a %A", "Feb February Thu Thursday")]
    [InlineData("%^b %^a", "FEB THU")]
    [InlineData("%j %y %C", "059 13 20")]
    [InlineData("%I %l %p %P", "12 12 PM pm")]
    [InlineData("%e|%-m|%_m|%3d", "28|2| 2|028")]
    [InlineData("%s", "1362020400")]
    [InlineData("%F %T", "2013-02-28 12:00:00")]
    [InlineData("%u %w", "4 4")]
    [InlineData("100%% %Q", "100% 1362020400123")]
    [InlineData("%Z", "")]
    public void Formats_like_ruby_strftime(string format, string expected)
    {
        Assert.Equal(expected, RubyTimeFormat.Compile(format).Format(Sample, Tokyo));
    }

    [Fact]
    public void Formats_utc_with_UTC_zone_name()
    {
        Assert.Equal("2013-02-28 03:00:00 +0000 UTC", RubyTimeFormat.Compile("%Y-%m-%d %H:%M:%S %z %Z").Format(Sample, RubyTimeZone.Utc));
    }

    [Fact]
    public void Formats_in_a_named_zone_with_daylight_saving()
    {
        var newYork = RubyTimeZone.Parse("America/New_York");
        var format = RubyTimeFormat.Compile("%Y-%m-%d %H:%M %z");
        Assert.Equal("2013-02-27 22:00 -0500", format.Format(Sample, newYork));
        Assert.Equal("2013-07-01 08:00 -0400", format.Format(new EventTime(1372680000, 0), newYork));
    }

    [Theory]
    [InlineData("%d/%b/%Y:%H:%M:%S %z", "28/Feb/2013:12:00:00 +0900", 1362020400u, 0u)]
    [InlineData("%d/%b/%Y:%H:%M:%S %z", "28/Feb/2013:03:00:00 +00:00", 1362020400u, 0u)]
    [InlineData("%Y-%m-%dT%H:%M:%S.%L%z", "2017-02-06T13:14:15.003Z", 1486386855u, 3000000u)]
    [InlineData("%Y-%m-%dT%H:%M:%S.%L%z", "2018-09-26T15:54:26.620412+09:00", 1537944866u, 620412000u)]
    [InlineData("%Y-%m-%d %H:%M:%S.%N", "2013-02-28 12:00:00.123456789", 1362020400u, 123456789u)]
    [InlineData("%Y-%m-%d %H:%M:%S", "2013-02-28 12:00:00", 1362020400u, 0u)]
    [InlineData("%Y%m%d%H%M%S", "20130228120000", 1362020400u, 0u)]
    [InlineData("%d %B %Y %I:%M %p", "28 february 2013 12:00 PM", 1362020400u, 0u)]
    [InlineData("%s", "1362020400", 1362020400u, 0u)]
    [InlineData("%s.%N", "1362020400.5", 1362020400u, 500000000u)]
    [InlineData("%Y-%m-%d %H:%M:%S %Z", "2013-02-28 03:00:00 UTC", 1362020400u, 0u)]
    [InlineData("%Y-%m-%d %H:%M:%S %Z", "2013-02-27 22:00:00 EST", 1362020400u, 0u)]
    [InlineData("%b %d %H:%M:%S", "Feb 28 12:00:00", 1362020400u, 0u)]
    [InlineData("%b %d %H:%M:%S", "Feb  5 12:00:00", 1360033200u, 0u)]
    [InlineData("%H:%M", "09:30", 1362875400u, 0u)]
    public void Parses_like_ruby_strptime(string format, string text, uint seconds, uint nanoseconds)
    {
        Assert.True(RubyTimeFormat.Compile(format).TryParse(text, Tokyo, Now, out var time));
        Assert.Equal(new EventTime(seconds, nanoseconds), time);
    }

    [Theory]
    [InlineData("%Y-%m-%d", "2013-02-30")]
    [InlineData("%Y-%m-%d", "2013-13-01")]
    [InlineData("%Y-%m-%d", "2013-02-28 trailing")]
    [InlineData("%d/%b/%Y", "28/Foo/2013")]
    [InlineData("%H:%M:%S", "12:61:00")]
    [InlineData("%Y-%m-%d %z", "2013-02-28 +99")]
    [InlineData("%Y-%m-%d", "")]
    public void Rejects_text_that_does_not_match(string format, string text)
    {
        Assert.False(RubyTimeFormat.Compile(format).TryParse(text, Tokyo, Now, out _));
    }

    [Fact]
    public void A_year_less_time_more_than_a_week_ahead_is_last_year()
    {
        var format = RubyTimeFormat.Compile("%b %d %H:%M:%S");
        var january = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero);
        Assert.True(format.TryParse("Dec 31 23:59:59", RubyTimeZone.Utc, january, out var time));
        Assert.Equal(new EventTime(1767225599, 0), time); // 2025-12-31T23:59:59Z
        Assert.True(format.TryParse("Jan  2 00:00:00", RubyTimeZone.Utc, january, out time));
        Assert.Equal(2026, time.ToDateTimeOffset().Year);
    }

    [Fact]
    public void Wall_clock_time_is_read_in_the_given_zone()
    {
        var format = RubyTimeFormat.Compile("%Y-%m-%d %H:%M:%S");
        Assert.True(format.TryParse("2013-02-28 03:00:00", RubyTimeZone.Utc, Now, out var utc));
        Assert.True(format.TryParse("2013-02-27 22:00:00", RubyTimeZone.Parse("America/New_York"), Now, out var newYork));
        Assert.Equal(1362020400u, utc.Seconds);
        Assert.Equal(1362020400u, newYork.Seconds);
    }

    [Fact]
    public void Round_trips_through_format_and_parse()
    {
        var format = RubyTimeFormat.Compile("%Y-%m-%dT%H:%M:%S.%N%:z");
        var text = format.Format(Sample, Tokyo);
        Assert.Equal("2013-02-28T12:00:00.123456789+09:00", text);
        Assert.True(format.TryParse(text, RubyTimeZone.Utc, Now, out var back));
        Assert.Equal(Sample, back);
    }

    [Theory]
    [InlineData("2013-02-28T12:00:00+09:00", 1362020400u, 0u)]
    [InlineData("2013-02-28T03:00:00Z", 1362020400u, 0u)]
    [InlineData("2013-02-28T03:00:00.5Z", 1362020400u, 500000000u)]
    [InlineData("2013-02-28 12:00:00 +0900", 1362020400u, 0u)]
    [InlineData("2013-02-28 03:00:00", 1362020400u, 0u)]
    [InlineData("2013/02/28 03:00:00", 1362020400u, 0u)]
    [InlineData("Thu, 28 Feb 2013 12:00:00 +0900", 1362020400u, 0u)]
    [InlineData("28/Feb/2013:12:00:00 +0900", 1362020400u, 0u)]
    [InlineData("Thu Feb 28 03:00:00 2013", 1362020400u, 0u)]
    [InlineData("2013-02-28", 1362009600u, 0u)]
    public void Without_a_format_reads_what_Time_parse_reads(string text, uint seconds, uint nanoseconds)
    {
        Assert.True(RubyTimeParse.TryParse(text, RubyTimeZone.Utc, Now, out var time));
        Assert.Equal(new EventTime(seconds, nanoseconds), time);
    }

    [Fact]
    public void Without_a_format_rejects_non_times()
    {
        Assert.False(RubyTimeParse.TryParse("not a time", RubyTimeZone.Utc, Now, out _));
    }

    [Theory]
    [InlineData("+09:00", 9 * 60)]
    [InlineData("+0900", 9 * 60)]
    [InlineData("-05", -5 * 60)]
    [InlineData("+05:30", 5 * 60 + 30)]
    [InlineData("Asia/Tokyo", 9 * 60)]
    public void Reads_timezone_parameters(string text, int minutes)
    {
        var zone = RubyTimeZone.Parse(text);
        Assert.Equal(TimeSpan.FromMinutes(minutes), zone.OffsetAt(new DateTime(2013, 2, 28, 0, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void Rejects_unknown_timezones()
    {
        Assert.False(RubyTimeZone.TryParse("Mars/Olympus", out _));
        Assert.False(RubyTimeZone.TryParse("+25:00", out _));
    }
}
