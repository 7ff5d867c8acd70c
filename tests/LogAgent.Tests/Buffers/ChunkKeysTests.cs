using LogAgent.Core.Buffers;
using LogAgent.Sdk.Buffers;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Sdk.Text;

namespace LogAgent.Tests.Buffers;

public class ChunkKeysTests
{
    private static readonly ConfigSection At = new("buffer", "", "test.conf", 7);

    private static ChunkKeys Keys(string argument, double? timekey = null, bool utc = true, string? zone = null) =>
        ChunkKeys.Parse(argument, new BufferConfig { Timekey = timekey, TimekeyUseUtc = utc, TimekeyZone = zone }, At);

    [Theory]
    [InlineData("", false, false, 0)]
    [InlineData("tag", true, false, 0)]
    [InlineData("time", false, true, 0)]
    [InlineData("tag,time", true, true, 0)]
    [InlineData(" tag , time ,key1", true, true, 1)]
    [InlineData("$.kubernetes.pod_name,tag", true, false, 1)]
    public void Parses_the_chunk_keys(string argument, bool tag, bool time, int recordKeys)
    {
        var keys = Keys(argument, timekey: 3600);
        Assert.Equal(tag, keys.HasTag);
        Assert.Equal(time, keys.HasTime);
        Assert.Equal(recordKeys, keys.RecordKeyNames.Count());
    }

    [Fact]
    public void Time_without_timekey_is_fluentds_error()
    {
        var ex = Assert.Throws<ConfigException>(() => Keys("tag,time"));
        Assert.Equal(7, ex.Line);
        Assert.Contains("argument includes 'time', but timekey is not configured", ex.Message);
    }

    [Fact]
    public void An_invalid_chunk_key_is_an_error() =>
        Assert.Contains("is not a valid chunk key", Assert.Throws<ConfigException>(() => Keys("tag,bad key!")).Message);

    [Theory]
    // 2024-03-01T12:34:56Z
    [InlineData(3600, true, null, "2024-03-01T12:00:00Z")]
    [InlineData(86400, true, null, "2024-03-01T00:00:00Z")]
    [InlineData(60, true, null, "2024-03-01T12:34:00Z")]
    // 12:34Z is 21:34 in +09:00, whose day began at 15:00Z the day before: slices align to the zone's midnight
    // (output.rb calculate_timekey).
    [InlineData(86400, false, "+09:00", "2024-02-29T15:00:00Z")]
    [InlineData(86400, false, "-05:00", "2024-03-01T05:00:00Z")]
    public void Time_slices_align_to_the_zones_clock(double timekey, bool utc, string? zone, string expectedStart)
    {
        var keys = Keys("time", timekey, utc, zone);
        var t = new EventTime((uint)DateTimeOffset.Parse("2024-03-01T12:34:56Z").ToUnixTimeSeconds(), 5);
        var slice = keys.MetadataOf("a", t, null).Timekey!.Value;
        Assert.Equal(DateTimeOffset.Parse(expectedStart).ToUnixTimeSeconds(), slice);
    }

    [Fact]
    public void Record_keys_take_the_records_values_and_missing_ones_are_empty()
    {
        var keys = Keys("tag,$.kubernetes.pod,level");
        var record = new Record { ["kubernetes"] = new Record { ["pod"] = "web-1" }, ["other"] = 1L };
        var metadata = keys.MetadataOf("app", new EventTime(1, 0), record);
        Assert.Equal("app", metadata.Tag);
        Assert.Equal("web-1", metadata.Variables["$.kubernetes.pod"]);
        Assert.Equal("", metadata.Variables["level"]);
        Assert.Equal(metadata, keys.MetadataOf("app", new EventTime(99, 0), new Record { ["kubernetes"] = new Record { ["pod"] = "web-1" } }));
    }

    public static TheoryData<string, string> Expansions => new()
    {
        { "/logs/${tag}/%Y%m%d%H.log", "/logs/app.web.access/2024030112.log" },
        { "${tag[0]}-${tag[1]}-${tag[-1]}", "app-web-access" },
        { "${tag[5]}x", "x" },
        { "stream-${$.kubernetes.pod}-${level}", "stream-web-1-warn" },
        { "%Y-%m-%dT%H:%M", "2024-03-01T12:00" },
        { "no placeholders", "no placeholders" },
    };

    [Theory]
    [MemberData(nameof(Expansions))]
    public void Placeholders_expand_from_the_chunk_metadata(string template, string expected)
    {
        var metadata = new ChunkMetadata("app.web.access", DateTimeOffset.Parse("2024-03-01T12:00:00Z").ToUnixTimeSeconds(),
            new Dictionary<string, string> { ["$.kubernetes.pod"] = "web-1", ["level"] = "warn" });
        Assert.Equal(expected, ChunkPlaceholders.Expand(template, metadata, RubyTimeZone.Utc));
    }

    [Theory]
    [InlineData("", "/logs/${tag}", "has tag placeholders, but chunk key 'tag' is not configured")]
    [InlineData("tag", "/logs/%Y%m%d", "has timestamp placeholders, but chunk key 'time' is not configured")]
    [InlineData("tag", "/logs/${pod}", "has placeholders, but chunk keys doesn't have keys pod")]
    public void A_placeholder_without_its_chunk_key_is_fluentds_config_error(string keys, string template, string message)
    {
        var at = new ConfigParameter("path", template, "test.conf", 12);
        var ex = Assert.Throws<ConfigException>(() => ChunkPlaceholders.Validate("path", template, Keys(keys), at, At));
        Assert.Equal(12, ex.Line);
        Assert.Contains(message, ex.Message);
    }

    [Theory]
    [InlineData("tag,time", "/logs/${tag}/%Y%m%d")]
    [InlineData("pod", "/logs/${pod}")]
    [InlineData("", "/logs/plain %% literal")]
    public void Placeholders_backed_by_chunk_keys_are_accepted(string keys, string template) =>
        ChunkPlaceholders.Validate("path", template, Keys(keys, timekey: 60), null, At);
}
