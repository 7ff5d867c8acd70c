using LogAgent.Tests.Support;

namespace LogAgent.Tests.Inputs;

public class SampleInputTests
{
    [Fact]
    public async Task Emits_rate_times_size_events_cycling_the_samples_with_an_increasing_key()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type sample
              tag s.events
              rate 10
              size 3
              auto_increment_key n
              max_emits 4
              sample [{"code":200,"ratio":0.5},{"code":404,"ratio":1.5}]
            </source>
            <match s.**>
              @type test_capture
              @id out
            </match>
            """);
        var output = engine.Output<CaptureOutput>("out");
        await engine.StartAsync(default);
        try
        {
            await Eventually.True(() => output.Events.Count >= 12, TimeSpan.FromSeconds(10), () => $"{output.Events.Count} of 12 events");
        }
        finally
        {
            await engine.StopAsync();
        }
        var events = output.Events;
        Assert.Equal(12, events.Count);
        Assert.All(events, e => Assert.Equal("s.events", e.Tag));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), events.Select(e => (long)e.Record["n"]!));
        // JSON integers stay integers and fractions stay floats, as fluentd's Yajl/Oj parse them.
        Assert.Equal(new object[] { 200L, 404L, 200L }, events.Take(3).Select(e => e.Record["code"]!));
        Assert.Equal(0.5, events[0].Record["ratio"]);
    }

    [Fact]
    public void Dummy_is_an_alias_with_its_old_parameter_name()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type dummy
              dummy {"message":"old style"}
            </source>
            <match **>
              @type null
            </match>
            """);
        Assert.Empty(engine.Warnings);
    }

    [Fact]
    public void A_sample_that_is_not_a_json_object_is_an_error_at_its_line()
    {
        var ex = Assert.Throws<LogAgent.Sdk.Config.ConfigException>(() => EngineFixture.Build("<source>\n  @type sample\n  sample \"just text\"\n</source>\n<match **>\n  @type null\n</match>\n"));
        Assert.Equal(3, ex.Line);
        Assert.Contains("sample", ex.Message);
    }
}
