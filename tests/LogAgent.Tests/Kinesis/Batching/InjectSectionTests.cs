using LogAgent.Plugins.Kinesis.Records;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;

namespace LogAgent.Tests.Kinesis.Batching;

/// <summary><see cref="InjectSection"/>: fluentd's &lt;inject&gt; subset, with the defaults kinesis.rb gives it.</summary>
public class InjectSectionTests
{
    // 2026-11-26 12:00:00.123456789 UTC
    private static readonly EventTime Time = new((uint)new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), 123_456_789);

    private static Record Apply(InjectSection inject, string tag = "app.web", string host = "default-host")
    {
        inject.Configure(new ConfigSection("inject", "", "test.conf", 1));
        var record = new Record { ["message"] = "m" };
        inject.Apply(tag, Time, record, host);
        return record;
    }

    [Fact]
    public void Tag_key_stores_the_tag()
    {
        Assert.Equal("app.web", Apply(new InjectSection { TagKey = "tag" })["tag"]);
    }

    [Fact]
    public void Hostname_key_stores_this_hosts_name_unless_hostname_is_given()
    {
        Assert.Equal("default-host", Apply(new InjectSection { HostnameKey = "host" })["host"]);
        Assert.Equal("web-01", Apply(new InjectSection { HostnameKey = "host", Hostname = "web-01" })["host"]);
    }

    [Fact]
    public void Time_key_defaults_to_kinesis_rbs_iso_format_with_nanoseconds()
    {
        Assert.Equal("2026-11-26T12:00:00.123456789+0000", Apply(new InjectSection { TimeKey = "time", Utc = true })["time"]);
    }

    [Fact]
    public void Time_key_follows_time_format_and_timezone()
    {
        Assert.Equal("2026/11/26 21:00:00", Apply(new InjectSection { TimeKey = "t", TimeFormat = "%Y/%m/%d %H:%M:%S", Timezone = "+09:00" })["t"]);
        Assert.Equal("2026-11-26T12:00:00Z", Apply(new InjectSection { TimeKey = "t", TimeFormat = "%Y-%m-%dT%H:%M:%SZ", Utc = true })["t"]);
    }

    [Fact]
    public void Time_type_unixtime_and_float_store_numbers()
    {
        Assert.Equal((long)Time.Seconds, Apply(new InjectSection { TimeKey = "t", TimeType = "unixtime" })["t"]);
        Assert.Equal(Time.ToUnixSeconds(), Apply(new InjectSection { TimeKey = "t", TimeType = "float" })["t"]);
    }

    [Fact]
    public void A_bad_timezone_is_a_config_error()
    {
        var inject = new InjectSection { TimeKey = "t", Timezone = "Nowhere/Atlantis" };
        Assert.Throws<ConfigException>(() => inject.Configure(new ConfigSection("inject", "", "test.conf", 1)));
    }

    [Fact]
    public void Without_keys_it_is_empty_and_changes_nothing()
    {
        var inject = new InjectSection();
        Assert.True(inject.IsEmpty);
        Assert.Equal(["message"], Apply(inject).Keys);
    }
}
