using LogAgent.Core.Routing;
using LogAgent.Tests.Support;
using Microsoft.Extensions.Logging;

namespace LogAgent.Tests.Engine;

public class RoutingTests
{
    private static Record R(string message) => new() { ["message"] = message };

    [Fact]
    public void The_first_matching_match_wins_and_filters_before_it_apply_in_config_order()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            <filter app.**>
              @type test_mark
              @id f1
            </filter>
            <filter app.web>
              @type test_mark
              @id f2
            </filter>
            <match app.web app.api>
              @type test_capture
              @id first
            </match>
            <filter app.**>
              @type test_mark
              @id after_first
            </filter>
            <match app.**>
              @type test_capture
              @id second
            </match>
            """);
        engine.Input("in").Emit("app.web", R("a"));
        engine.Input("in").Emit("app.worker", R("b"));

        var first = engine.Output<CaptureOutput>("first").Events;
        var second = engine.Output<CaptureOutput>("second").Events;
        Assert.Equal("f1>f2", Assert.Single(first).Record["path"]);
        // A filter declared after the first <match> applies only to events that match nothing before it.
        Assert.Equal("f1>after_first", Assert.Single(second).Record["path"]);
        Assert.Equal("app.worker", second[0].Tag);
    }

    [Fact]
    public void A_source_label_routes_into_that_label_only()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
              @label @APP
            </source>
            <match **>
              @type test_capture
              @id root
            </match>
            <label @APP>
              <match **>
                @type test_capture
                @id app
              </match>
            </label>
            """);
        engine.Input("in").Emit("x", R("1"));
        Assert.Single(engine.Output<CaptureOutput>("app").Events);
        Assert.Empty(engine.Output<CaptureOutput>("root").Events);
    }

    [Fact]
    public void Relabel_moves_events_to_another_label_and_ROOT_back_to_the_top()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
              @label @A
            </source>
            <label @A>
              <match **>
                @type relabel
                @label @B
              </match>
            </label>
            <label @B>
              <filter **>
                @type test_mark
                @id b
              </filter>
              <match **>
                @type relabel
                @label @ROOT
              </match>
            </label>
            <match **>
              @type test_capture
              @id root
            </match>
            """);
        engine.Input("in").Emit("t", R("1"));
        var e = Assert.Single(engine.Output<CaptureOutput>("root").Events);
        Assert.Equal("b", e.Record["path"]);
        Assert.Equal("t", e.Tag);
    }

    [Fact]
    public void Events_an_output_fails_on_go_to_the_ERROR_label()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            <match **>
              @type test_capture
              @id broken
              fail true
            </match>
            <label @ERROR>
              <match **>
                @type test_capture
                @id errors
              </match>
            </label>
            """);
        engine.Input("in").Emit("t", R("1"), R("2"));
        Assert.Equal(new[] { "1", "2" }, engine.Output<CaptureOutput>("errors").Events.Select(e => (string)e.Record["message"]!));
    }

    [Fact]
    public void Without_an_ERROR_label_an_output_failure_reaches_the_input()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            <match **>
              @type test_capture
              fail true
            </match>
            """);
        var ex = Assert.Throws<IOException>(() => engine.Input("in").Emit("t", R("1")));
        Assert.Contains("is down", ex.Message);
    }

    [Fact]
    public void Records_a_filter_rejects_go_to_the_ERROR_label_and_the_rest_continue()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            <filter bad.**>
              @type test_mark
              reject true
            </filter>
            <match **>
              @type test_capture
              @id out
            </match>
            <label @ERROR>
              <match **>
                @type test_capture
                @id errors
              </match>
            </label>
            """);
        engine.Input("in").Emit("bad.x", R("1"));
        engine.Input("in").Emit("good.x", R("2"));
        Assert.Equal("bad.x", Assert.Single(engine.Output<CaptureOutput>("errors").Events).Tag);
        Assert.Equal("good.x", Assert.Single(engine.Output<CaptureOutput>("out").Events).Tag);
    }

    [Fact]
    public void A_tag_that_matches_nothing_is_dropped_with_one_warning()
    {
        var logs = new CapturingLoggerProvider();
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            <match app.**>
              @type test_capture
              @id out
            </match>
            """, logs);
        for (int i = 0; i < 100; i++) engine.Input("in").Emit("other.tag", R("x"));
        var warnings = logs.Lines.Where(l => l.Message.Contains("no patterns matched")).ToList();
        var warning = Assert.Single(warnings);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("tag=\"other.tag\"", warning.Message);
        Assert.Empty(engine.Output<CaptureOutput>("out").Events);
    }

    [Fact]
    public void Copy_gives_each_store_the_events_and_ignore_error_keeps_the_next_store_fed()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            <match **>
              @type copy
              <store>
                @type test_capture
                @id s1
              </store>
              <store ignore_error>
                @type test_capture
                @id s2
                fail true
              </store>
              <store>
                @type test_capture
                @id s3
              </store>
            </match>
            """);
        engine.Input("in").Emit("t", R("1"));
        Assert.Single(engine.Output<CaptureOutput>("s1").Events);
        Assert.Single(engine.Output<CaptureOutput>("s3").Events);
    }

    [Fact]
    public void Copy_without_ignore_error_stops_at_the_failing_store()
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            <match **>
              @type copy
              <store>
                @type test_capture
                @id s1
                fail true
              </store>
              <store>
                @type test_capture
                @id s2
              </store>
            </match>
            """);
        Assert.Throws<IOException>(() => engine.Input("in").Emit("t", R("1")));
        Assert.Empty(engine.Output<CaptureOutput>("s2").Events);
    }

    [Fact]
    public void A_route_is_resolved_once_per_tag_and_cached()
    {
        var engine = EngineFixture.Build("""
            <match a.**>
              @type test_capture
            </match>
            """);
        Assert.Same(engine.Root.RouteFor("a.b"), engine.Root.RouteFor("a.b"));
        Assert.NotSame(engine.Root.RouteFor("a.b"), engine.Root.RouteFor("a.c"));
        Assert.Null(engine.Root.RouteFor("b").Output);
    }

    [Fact]
    public async Task Start_runs_outputs_before_inputs_and_stop_runs_inputs_before_outputs()
    {
        var journal = Guid.NewGuid().ToString();
        var engine = EngineFixture.Build($"""
            <source>
              @type test_manual
              @id in
              journal {journal}
            </source>
            <filter **>
              @type test_mark
              @id filter
              journal {journal}
            </filter>
            <match **>
              @type test_capture
              @id out
              journal {journal}
            </match>
            """);
        await engine.StartAsync(default);
        await engine.StopAsync();
        Assert.Equal(new[] { "start out", "start filter", "start in", "stop in", "shutdown in", "stop filter", "stop out", "shutdown out" },
            Journals.Get(journal));
    }
}
