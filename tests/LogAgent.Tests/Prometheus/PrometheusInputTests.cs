using System.IO.Compression;
using System.Net;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins.Inputs.Prometheus;
using LogAgent.Sdk.Config;
using LogAgent.Sdk.Events;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Prometheus;

/// <summary>The prometheus input's HTTP side in a running engine: paths, encodings, LogAgent's own metrics.</summary>
public class PrometheusInputTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static async Task<(AgentEngine Engine, HttpClient Http, string Url)> StartAsync(string parameters, string rest = "")
    {
        var engine = EngineFixture.Build($"""
            <source>
              @type prometheus
              bind 127.0.0.1
              port 0
              {parameters}
            </source>
            <source>
              @type test_manual
              @id in
            </source>
            {rest}
            """);
        await engine.StartAsync(default);
        var port = engine.Inputs.OfType<PrometheusInput>().Single().BoundPort;
        return (engine, new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = Deadline }, $"http://127.0.0.1:{port}");
    }

    [Fact]
    public async Task Metrics_are_served_at_metrics_path_and_aggregated_metrics_path_with_the_text_formats_content_type()
    {
        var (engine, http, url) = await StartAsync("metrics_path /m");
        engine.Input("in").Emit("t", new Record { ["a"] = 1L });

        using var metrics = await http.GetAsync(url + "/m");
        using var aggregated = await http.GetAsync(url + "/aggregated_metrics");
        using var old = await http.GetAsync(url + "/metrics");

        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType?.ToString());
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("fluentd_input_status_emit_records{plugin_id=\"in\",type=\"test_manual\"} 1\n", text);
        Assert.Equal(text, await aggregated.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        http.Dispose();
        await engine.StopAsync();
    }

    [Fact]
    public async Task Content_encoding_gzip_compresses_the_body_and_says_so()
    {
        var (engine, http, url) = await StartAsync("content_encoding gzip");

        using var response = await http.GetAsync(url + "/metrics");

        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        await using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        var text = await new StreamReader(gzip).ReadToEndAsync();
        Assert.Contains("# TYPE fluentd_input_status_emit_records counter\n", text);
        http.Dispose();
        await engine.StopAsync();
    }

    [Fact]
    public async Task A_plugins_own_counters_are_served_with_the_part_after_the_dot_as_label_key()
    {
        var (engine, http, url) = await StartAsync("", """
            <filter **>
              @type test_counting
              @id counting
            </filter>
            <match **>
              @type null
            </match>
            """);
        engine.Input("in").Emit("app.web", new Record { ["a"] = 1, ["b"] = 2 }, new Record { ["a"] = 1, ["b"] = 2 });
        engine.Input("in").Emit("db", new Record { ["a"] = 1 });

        var text = await http.GetStringAsync(url + "/metrics");

        // A gauge is typed gauge and shows its last value (2 keys, then 1), not a sum.
        Assert.Contains("# TYPE logagent_plugin_last_record_keys gauge\n", text);
        Assert.Contains("logagent_plugin_last_record_keys{plugin_id=\"counting\",plugin_category=\"filter\",type=\"test_counting\"} 1\n", text);

        Assert.Contains("# TYPE logagent_plugin_records_by_tag counter\n", text);
        Assert.Contains("logagent_plugin_records_by_tag{plugin_id=\"counting\",plugin_category=\"filter\",type=\"test_counting\",key=\"app.web\"} 2\n", text);
        Assert.Contains("logagent_plugin_records_by_tag{plugin_id=\"counting\",plugin_category=\"filter\",type=\"test_counting\",key=\"db\"} 1\n", text);
        Assert.Contains("logagent_plugin_records_seen{plugin_id=\"counting\",plugin_category=\"filter\",type=\"test_counting\"} 3\n", text);
        Assert.Contains("fluentd_filter_status_emit_records{plugin_id=\"counting\",type=\"test_counting\"} 3\n", text);
        http.Dispose();
        await engine.StopAsync();
    }

    [Fact]
    public async Task Agent_metrics_false_serves_only_the_registry()
    {
        var (engine, http, url) = await StartAsync("agent_metrics false", """
            <match **>
              @type prometheus
              <metric>
                name events
                type counter
                desc d
              </metric>
            </match>
            """);
        engine.Input("in").Emit("t", new Record());

        var text = await http.GetStringAsync(url + "/metrics");

        Assert.Equal("# HELP events d\n# TYPE events counter\nevents 1\n", text);
        http.Dispose();
        await engine.StopAsync();
    }

    [Fact]
    public async Task Health_check_false_leaves_the_health_paths_unserved()
    {
        var (engine, http, url) = await StartAsync("health_check false");

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(url + "/api/v1/health")).StatusCode);
        http.Dispose();
        await engine.StopAsync();
    }

    [Theory]
    [InlineData("metrics_path metrics", "metrics_path must start with /")]
    [InlineData("health_check_period 0", "health_check_period must be positive")]
    [InlineData("health_check_errors_count -1", "health_check_errors_count must not be negative")]
    [InlineData("content_encoding deflate", "content_encoding")]
    public void Bad_parameters_are_config_errors(string parameter, string says)
    {
        var error = Assert.Throws<ConfigException>(() => EngineFixture.Build($"""
            <source>
              @type prometheus
              {parameter}
            </source>
            """));
        Assert.Contains(says, error.Message);
    }

    [Fact]
    public async Task Output_monitor_labels_expand_hostname_and_refuse_record_accessors()
    {
        var (engine, http, url) = await StartAsync("", """
            <source>
              @type prometheus_output_monitor
              gauge_all false
              <labels>
                host ${hostname}
                env prod
              </labels>
            </source>
            <match **>
              @type test_buffered
              @id out
            </match>
            """);
        var text = await http.GetStringAsync(url + "/metrics");

        Assert.Contains("# TYPE fluentd_output_status_emit_records counter\n", text);
        Assert.Contains("# TYPE fluentd_output_status_rollback_count gauge\n", text);
        Assert.Contains("fluentd_output_status_emit_records{host=\"web-1\",env=\"prod\",plugin_id=\"out\",type=\"test_buffered\"} 0\n", text);
        http.Dispose();
        await engine.StopAsync();

        var error = Assert.Throws<ConfigException>(() => EngineFixture.Build("""
            <source>
              @type prometheus_monitor
              <labels>
                host $.host
              </labels>
            </source>
            """));
        Assert.Contains("record accessor syntax is not available in prometheus_monitor", error.Message);
    }
}
