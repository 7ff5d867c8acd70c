using LogAgent.Core.Engine;
using LogAgent.Core.Prometheus;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Prometheus;

/// <summary>
/// The prometheus filter and output (fluent-plugin-prometheus's &lt;metric&gt;s) in a running engine: what the
/// engine's registry holds after events pass.
/// </summary>
public class PrometheusMetricPluginTests
{
    private static async Task<AgentEngine> StartAsync(string config, CapturingLoggerProvider? logs = null)
    {
        var engine = EngineFixture.Build("""
            <source>
              @type test_manual
              @id in
            </source>
            """ + "\n" + config, logs);
        await engine.StartAsync(default);
        return engine;
    }

    private static MetricFamily Family(AgentEngine engine, string name) => engine.Prometheus.Collect().Single(f => f.Name == name);

    private static string Labels(MetricSample sample) => string.Join(",", sample.Labels.Select(l => $"{l.Key}={l.Value}"));

    [Fact]
    public async Task The_docs_recipe_counts_records_per_tag_and_hostname_and_passes_them_on_unchanged()
    {
        var engine = await StartAsync("""
            <filter app.**>
              @type prometheus
              <metric>
                name fluentd_input_status_num_records_total
                type counter
                desc The total number of incoming records
                <labels>
                  tag ${tag}
                  hostname ${hostname}
                </labels>
              </metric>
            </filter>
            <match app.**>
              @type test_capture
              @id out
            </match>
            """);
        engine.Input("in").Emit("app.web", new Record { ["a"] = 1L }, new Record { ["a"] = 2L });
        engine.Input("in").Emit("app.db", new Record { ["a"] = 3L });

        var family = Family(engine, "fluentd_input_status_num_records_total");
        Assert.Equal(MetricType.Counter, family.Type);
        Assert.Equal(new[] { ("tag=app.web,hostname=web-1", 2.0), ("tag=app.db,hostname=web-1", 1.0) }, family.Samples.Select(s => (Labels(s), s.Value)));
        Assert.Equal(new long?[] { 1, 2, 3 }, engine.Output<CaptureOutput>("out").Events.Select(e => (long?)e.Record["a"]));
        await engine.StopAsync();
    }

    [Fact]
    public async Task Labels_take_tag_parts_record_fields_and_record_accessors_and_metric_labels_follow_the_plugins()
    {
        var engine = await StartAsync("""
            <match app.**>
              @type prometheus
              <labels>
                host ${hostname}
                method ${method}
              </labels>
              <metric>
                name bytes_sent
                type counter
                desc bytes
                key size
                <labels>
                  service ${tag_parts[-1]}
                  pod $.kubernetes.pod
                  missing ${nothing}
                </labels>
              </metric>
            </match>
            """);
        engine.Input("in").Emit("app.web",
            new Record { ["method"] = "GET", ["size"] = 100L, ["kubernetes"] = new Record { ["pod"] = "p1" } },
            new Record { ["method"] = "GET", ["size"] = 50L, ["kubernetes"] = new Record { ["pod"] = "p1" } },
            new Record { ["method"] = "POST", ["size"] = 7.5 });

        var samples = Family(engine, "bytes_sent").Samples;
        Assert.Equal(new[]
        {
            ("host=web-1,method=GET,service=web,pod=p1,missing=${nothing}", 150.0),
            ("host=web-1,method=POST,service=web,pod=,missing=${nothing}", 7.5),
        }, samples.Select(s => (Labels(s), s.Value)));
        await engine.StopAsync();
    }

    [Fact]
    public async Task Gauge_summary_and_histogram_use_the_key_and_skip_events_without_it()
    {
        var engine = await StartAsync("""
            <match **>
              @type prometheus
              <metric>
                name last_size
                type gauge
                desc g
                key size
              </metric>
              <metric>
                name size_summary
                type summary
                desc s
                key size
              </metric>
              <metric>
                name size_histogram
                type histogram
                desc h
                key size
                buckets 10, 100
              </metric>
            </match>
            """);
        engine.Input("in").Emit("t", new Record { ["size"] = 5L }, new Record { ["other"] = 1L }, new Record { ["size"] = 50L });

        Assert.Equal(50, Family(engine, "last_size").Samples.Single().Value);
        Assert.Equal(new[] { ("_sum", 55.0), ("_count", 2.0) }, Family(engine, "size_summary").Samples.Select(s => (s.Suffix, s.Value)));
        Assert.Equal(new[] { 1.0, 2.0, 2.0, 55.0, 2.0 }, Family(engine, "size_histogram").Samples.Select(s => s.Value));
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_value_that_is_not_a_number_is_logged_and_the_event_goes_to_the_error_label()
    {
        var logs = new CapturingLoggerProvider();
        var engine = await StartAsync("""
            <match **>
              @type prometheus
              <metric>
                name sizes
                type counter
                desc c
                key size
              </metric>
            </match>
            <label @ERROR>
              <match **>
                @type test_capture
                @id errors
              </match>
            </label>
            """, logs);
        engine.Input("in").Emit("t", new Record { ["size"] = "big" }, new Record { ["size"] = 2L });

        Assert.Equal(2, Family(engine, "sizes").Samples.Single().Value);
        Assert.Equal("big", engine.Output<CaptureOutput>("errors").Events.Single().Record["size"]);
        Assert.Contains(logs.Lines, l => l.Message.Contains("failed to instrument a metric") && l.Message.Contains("value must be a number"));
        await engine.StopAsync();
    }

    [Fact]
    public async Task Label_sets_beyond_max_series_per_metric_are_dropped_and_counted()
    {
        var engine = await StartAsync("""
            <match **>
              @type prometheus
              max_series_per_metric 2
              <metric>
                name per_user
                type counter
                desc c
                <labels>
                  user $.user
                </labels>
              </metric>
            </match>
            """);
        engine.Input("in").Emit("t", new Record { ["user"] = "a" }, new Record { ["user"] = "b" }, new Record { ["user"] = "c" }, new Record { ["user"] = "a" });

        Assert.Equal(new[] { ("user=a", 2.0), ("user=b", 1.0) }, Family(engine, "per_user").Samples.Select(s => (Labels(s), s.Value)));
        Assert.Equal(("name=per_user", 1.0), Family(engine, "fluentd_prometheus_dropped_label_sets_total").Samples.Select(s => (Labels(s), s.Value)).Single());
        await engine.StopAsync();
    }

    [Fact]
    public async Task Initialized_metrics_start_at_zero_for_each_initlabels_set()
    {
        var engine = await StartAsync("""
            <match **>
              @type prometheus
              <metric>
                name per_status
                type counter
                desc c
                initialized true
                <labels>
                  host ${hostname}
                  status $.status
                </labels>
                <initlabels>
                  status 200
                </initlabels>
                <initlabels>
                  status 500
                </initlabels>
              </metric>
            </match>
            """);

        Assert.Equal(new[] { ("host=web-1,status=200", 0.0), ("host=web-1,status=500", 0.0) }, Family(engine, "per_status").Samples.Select(s => (Labels(s), s.Value)));
        await engine.StopAsync();
    }

    [Theory]
    [InlineData("type counter\n desc d", "metric", "'name'")]
    [InlineData("name m\n type gauge\n desc d", "gauge metric requires 'key' option", "")]
    [InlineData("name bad-name\n type counter\n desc d", "not a valid Prometheus metric name", "")]
    [InlineData("name m\n type meter\n desc d", "type", "meter")]
    public void A_metric_section_that_fluent_plugin_prometheus_refuses_is_a_config_error(string body, string says, string alsoSays)
    {
        var error = Assert.Throws<ConfigException>(() => EngineFixture.Build($"""
            <match **>
              @type prometheus
              <metric>
                {body}
              </metric>
            </match>
            """));
        Assert.Contains(says, error.Message);
        Assert.Contains(alsoSays, error.Message);
    }

    [Fact]
    public void Two_metrics_of_one_name_must_agree_on_the_type()
    {
        var error = Assert.Throws<ConfigException>(() => EngineFixture.Build("""
            <filter **>
              @type prometheus
              <metric>
                name m
                type counter
                desc d
              </metric>
            </filter>
            <match **>
              @type prometheus
              <metric>
                name m
                type gauge
                desc d
                key x
              </metric>
            </match>
            """));
        Assert.Contains("m has already been registered as counter type", error.Message);
        Assert.Equal(11, error.Line); // the second <metric>
    }
}
