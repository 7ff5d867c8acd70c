using System.Text.Json;
using LogAgent.Core.Config;
using LogAgent.Core.Engine;
using LogAgent.Core.Plugins;
using LogAgent.Core.Plugins.Inputs;
using LogAgent.Tests.Support;

namespace LogAgent.Tests.Inputs.Monitor;

/// <summary>What monitor_agent's endpoints show of a running engine, against fluentd's in_monitor_agent.</summary>
public class MonitorAgentApiTests
{
    private static readonly TimeSpan Deadline = MonitoredAgent.Deadline;

    // A forward input and a buffered output that flushes quickly, so events sent are soon written.
    private const string ForwardToBuffered = """
        <source>
          @type forward
          @id in_forward
          bind 127.0.0.1
          port 0
        </source>
        <match app.**>
          @type test_buffered
          @id out_app
          <buffer tag>
            flush_mode interval
            flush_interval 0.05
            flush_thread_interval 0.02
          </buffer>
        </match>
        """;

    private static async Task SendAsync(AgentEngine engine, string tag, int count)
    {
        var input = engine.Inputs.OfType<ForwardInput>().Single();
        using var client = await ForwardTestClient.ConnectAsync(input.BoundPort, Deadline);
        var records = Enumerable.Range(0, count).Select(n => new Record { ["n"] = (long)n });
        Assert.True(await client.SendWithAckAsync(tag, records, "c1", Deadline), "the forward input did not ack");
    }

    [Fact]
    public async Task Plugins_json_counts_what_a_buffered_output_received_and_wrote()
    {
        await using var agent = await MonitoredAgent.StartAsync(ForwardToBuffered);
        await SendAsync(agent.Engine, "app.web", 5);
        await Eventually.True(() => agent.Engine.Runners.Single().Metrics.WriteCount >= 1, Deadline, () => "the chunk written");

        var output = (await agent.PluginsAsync())["out_app"];

        Assert.Equal("output", output.GetProperty("plugin_category").GetString());
        Assert.Equal("test_buffered", output.GetProperty("type").GetString());
        Assert.True(output.GetProperty("output_plugin").GetBoolean());
        Assert.Equal(5, output.GetProperty("emit_records").GetInt64());
        Assert.Equal(1, output.GetProperty("emit_count").GetInt64());
        Assert.True(output.GetProperty("emit_size").GetInt64() > 0);
        Assert.True(output.GetProperty("write_count").GetInt64() >= 1);
        Assert.Equal(0, output.GetProperty("rollback_count").GetInt64());
        Assert.Equal(0, output.GetProperty("retry_count").GetInt64());
        Assert.Equal(0, output.GetProperty("slow_flush_count").GetInt64());
        Assert.Equal(0, output.GetProperty("buffer_queue_length").GetInt64());
        Assert.Equal(0, output.GetProperty("buffer_total_queued_size").GetInt64());
        Assert.Equal(100.0, output.GetProperty("buffer_available_buffer_space_ratios").GetDouble());
    }

    [Fact]
    public async Task Plugin_ids_are_the_configured_at_ids_and_a_stable_generated_id_otherwise()
    {
        const string config = """
            <match **>
              @type test_capture
            </match>
            """;
        await using var agent = await MonitoredAgent.StartAsync(ForwardToBuffered + "\n" + config);
        var plugins = await agent.PluginsAsync();

        Assert.Equal(new[] { "monitor", "in_forward", "out_app", "test_capture.1" }, plugins.Keys);
        // The generated id is the one the agent's log lines carry; a second start of the same config gets it again.
        var again = EngineFixture.Build($"<source>\n@type monitor_agent\n@id monitor\n</source>\n{ForwardToBuffered}\n{config}");
        Assert.Contains(again.Status.Plugins(), p => p.Id == "test_capture.1");
    }

    [Fact]
    public async Task Config_shows_the_parameters_as_written_with_secret_ones_masked()
    {
        await using var agent = await MonitoredAgent.StartAsync("""
            <match secure.**>
              @type forward
              @id out_secure
              tls_client_private_key_passphrase hunter2
              heartbeat_type none
              <server>
                host 127.0.0.1
                port 1
              </server>
            </match>
            """);
        var config = (await agent.PluginsAsync())["out_secure"].GetProperty("config");

        Assert.Equal("xxxxxx", config.GetProperty("tls_client_private_key_passphrase").GetString());
        Assert.Equal("none", config.GetProperty("heartbeat_type").GetString());
        Assert.Equal("forward", config.GetProperty("@type").GetString());
        Assert.DoesNotContain("hunter2", await agent.Http.GetStringAsync(agent.Url("/api/plugins.json")));
        Assert.DoesNotContain("hunter2", await agent.Http.GetStringAsync(agent.Url("/api/plugins")));
    }

    [Fact]
    public void The_Kinesis_outputs_AWS_credentials_are_masked()
    {
        var registry = PluginRegistry.CreateWithBuiltIns();
        registry.RegisterAssembly(typeof(LogAgent.Plugins.Kinesis.KinesisStreamsOutput).Assembly, "kinesis");
        var root = ConfigLoader.Parse("""
            <match **>
              @type kinesis_streams
              @id out_kinesis
              stream_name events
              region us-east-1
              aws_key_id AKIAEXAMPLE
              aws_sec_key wJalrXUtnFEMI
              aws_ses_token FwoGZXIvYXdzEXAMPLE
            </match>
            """, "kinesis.conf", Path.GetTempPath());

        var config = AgentEngine.Build(root, new EngineOptions { Registry = registry }).Status.Plugins().Single().Config.ToDictionary();

        Assert.Equal("xxxxxx", config["aws_key_id"]);
        Assert.Equal("xxxxxx", config["aws_sec_key"]);
        Assert.Equal("xxxxxx", config["aws_ses_token"]);
        Assert.Equal("events", config["stream_name"]);
    }

    [Fact]
    public async Task Include_config_false_leaves_config_out_unless_with_config_asks_for_it()
    {
        await using var agent = await MonitoredAgent.StartAsync(ForwardToBuffered, "include_config false");

        Assert.False((await agent.PluginsAsync())["out_app"].TryGetProperty("config", out _));
        Assert.True((await agent.PluginsAsync("?with_config=true"))["out_app"].TryGetProperty("config", out _));
    }

    [Fact]
    public async Task Inputs_show_the_records_and_msgpack_bytes_they_emitted_and_filters_what_they_passed_on()
    {
        await using var agent = await MonitoredAgent.StartAsync("""
            <filter app.**>
              @type grep
              @id keep_even
              <regexp>
                key n
                pattern /^[02468]$/
              </regexp>
            </filter>
            """ + "\n" + ForwardToBuffered);
        await SendAsync(agent.Engine, "app.web", 5);
        var output = agent.Engine.Runners.Single().Metrics;
        await Eventually.True(() => output.EmitRecords == 3, Deadline, () => $"emit_records={output.EmitRecords}");

        var plugins = await agent.PluginsAsync();
        var input = plugins["in_forward"];
        var filter = plugins["keep_even"];
        Assert.Equal(5, input.GetProperty("emit_records").GetInt64());
        Assert.Equal(3, filter.GetProperty("emit_records").GetInt64());
        // The filter passed on 3 of the 5 events; each [time, {"n": N}] entry has the same msgpack size, and the
        // output's emit_size counts the same bytes the filter passed on.
        Assert.Equal(output.EmitSize, filter.GetProperty("emit_size").GetInt64());
        Assert.Equal(output.EmitSize * 5 / 3, input.GetProperty("emit_size").GetInt64());
        Assert.Equal(0, plugins["monitor"].GetProperty("emit_records").GetInt64());
    }

    [Fact]
    public async Task Inputs_and_filters_are_not_output_plugins_and_have_a_null_retry_count()
    {
        await using var agent = await MonitoredAgent.StartAsync("""
            <filter app.**>
              @type test_mark
              @id mark
            </filter>
            """ + "\n" + ForwardToBuffered);
        var plugins = await agent.PluginsAsync();

        foreach (var (id, category) in new[] { ("in_forward", "input"), ("mark", "filter") })
        {
            Assert.Equal(category, plugins[id].GetProperty("plugin_category").GetString());
            Assert.False(plugins[id].GetProperty("output_plugin").GetBoolean());
            Assert.Equal(JsonValueKind.Null, plugins[id].GetProperty("retry_count").ValueKind);
            Assert.Equal(0, plugins[id].GetProperty("emit_records").GetInt64());
            Assert.Equal(0, plugins[id].GetProperty("emit_size").GetInt64());
            Assert.False(plugins[id].TryGetProperty("retry", out _));
        }
    }

    [Fact]
    public async Task A_plugins_own_counters_appear_under_plugin_metrics()
    {
        await using var agent = await MonitoredAgent.StartAsync("""
            <filter app.**>
              @type test_counting
              @id counting
            </filter>
            """ + "\n" + ForwardToBuffered);
        await SendAsync(agent.Engine, "app.web", 3);

        var counting = (await agent.PluginsAsync())["counting"];

        Assert.Equal(3, counting.GetProperty("plugin_metrics").GetProperty("records_seen").GetInt64());
        Assert.False((await agent.PluginsAsync())["out_app"].TryGetProperty("plugin_metrics", out _));
    }

    [Fact]
    public async Task Retry_shows_steps_and_times_while_an_output_fails_and_is_empty_otherwise()
    {
        await using var agent = await MonitoredAgent.StartAsync("""
            <match app.**>
              @type test_buffered
              @id out_down
              down true
              <buffer tag>
                flush_mode immediate
                retry_wait 30
              </buffer>
            </match>
            <match **>
              @type test_buffered
              @id out_up
            </match>
            """ + "\n" + ForwardToBuffered.Replace("<match app.**>", "<match never>"));
        await SendAsync(agent.Engine, "app.web", 1);
        await Eventually.True(() => agent.Engine.Runners.First().Metrics.RetryCount >= 1, Deadline, () => "a failed flush");

        var plugins = await agent.PluginsAsync();
        var retry = plugins["out_down"].GetProperty("retry");

        Assert.Equal(0, retry.GetProperty("steps").GetInt64());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$", retry.GetProperty("start").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$", retry.GetProperty("next_time").GetString());
        Assert.Equal(1, plugins["out_down"].GetProperty("retry_count").GetInt64());
        Assert.Empty(plugins["out_up"].GetProperty("retry").EnumerateObject());
        Assert.False((await agent.PluginsAsync("?with_retry=false"))["out_down"].TryGetProperty("retry", out _));
    }

    [Fact]
    public async Task Query_options_select_plugins_by_id_type_and_tag()
    {
        await using var agent = await MonitoredAgent.StartAsync(ForwardToBuffered + "\n" + """
            <match other.**>
              @type test_capture
              @id out_other
            </match>
            """);

        Assert.Equal(new[] { "in_forward" }, (await agent.PluginsAsync("?@id=in_forward")).Keys);
        Assert.Equal(new[] { "in_forward" }, (await agent.PluginsAsync("?id=in_forward")).Keys);
        Assert.Equal(new[] { "out_other" }, (await agent.PluginsAsync("?@type=test_capture")).Keys);
        Assert.Equal(new[] { "out_app" }, (await agent.PluginsAsync("?tag=app.web")).Keys);
        Assert.Equal(new[] { "out_other" }, (await agent.PluginsAsync("?tag=other.x")).Keys);
        Assert.Empty(await agent.PluginsAsync("?tag=nothing.matches"));
        Assert.Empty(await agent.PluginsAsync("?%40id=no_such_plugin"));
    }

    [Fact]
    public async Task Pretty_json_and_debug_indent_the_same_document()
    {
        await using var agent = await MonitoredAgent.StartAsync(ForwardToBuffered);

        var compact = await agent.Http.GetStringAsync(agent.Url("/api/plugins.json?@id=out_app"));
        var pretty = await agent.Http.GetStringAsync(agent.Url("/api/plugins.json?@id=out_app&pretty_json"));
        var debug = await agent.Http.GetStringAsync(agent.Url("/api/plugins.json?@id=out_app&debug=1"));

        Assert.DoesNotContain("\n", compact);
        Assert.Contains("\n  \"plugins\": [\n", pretty);
        Assert.Equal(pretty, debug);
        Assert.Equal(Normalized(compact), Normalized(pretty));
    }

    private static string Normalized(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    [Fact]
    public async Task Ltsv_lists_one_plugin_a_line_with_scalar_fields_only()
    {
        await using var agent = await MonitoredAgent.StartAsync(ForwardToBuffered);

        using var response = await agent.Http.GetAsync(agent.Url("/api/plugins"));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n');

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(4, lines.Length); // three plugins, and the last line's newline
        Assert.Equal("", lines[^1]);
        var output = lines.Single(l => l.StartsWith("plugin_id:out_app\t", StringComparison.Ordinal)).Split('\t');
        Assert.Contains("plugin_category:output", output);
        Assert.Contains("output_plugin:true", output);
        Assert.Contains("emit_records:0", output);
        Assert.DoesNotContain(output, f => f.StartsWith("config:", StringComparison.Ordinal) || f.StartsWith("retry:", StringComparison.Ordinal));
        Assert.Contains("retry_count:", lines.Single(l => l.StartsWith("plugin_id:in_forward\t", StringComparison.Ordinal)).Split('\t'));
    }

    [Fact]
    public async Task Config_json_describes_the_process()
    {
        await using var agent = await MonitoredAgent.StartAsync(ForwardToBuffered);

        var config = await agent.GetJsonAsync("/api/config.json");
        var ltsv = await agent.Http.GetStringAsync(agent.Url("/api/config"));

        Assert.Equal(Environment.ProcessId, config.GetProperty("pid").GetInt32());
        Assert.True(config.GetProperty("ppid").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(config.GetProperty("version").GetString()));
        Assert.Equal(JsonValueKind.Array, config.GetProperty("plugin_dirs").ValueKind);
        Assert.StartsWith($"pid:{Environment.ProcessId}\tppid:", ltsv);
        Assert.EndsWith("\n", ltsv);
    }

    [Fact]
    public async Task With_tag_every_plugins_metrics_are_emitted_as_events_every_emit_interval()
    {
        await using var agent = await MonitoredAgent.StartAsync(ForwardToBuffered + "\n" + """
            <match monitor.metrics>
              @type test_capture
              @id metrics
            </match>
            """, "tag monitor.metrics\nemit_interval 0.1");
        var capture = agent.Engine.Output<CaptureOutput>("metrics");
        await SendAsync(agent.Engine, "app.web", 2);

        await Eventually.True(() => capture.Events.Any(e => (string?)e.Record["plugin_id"] == "out_app" && (long?)e.Record["emit_records"] == 2),
            Deadline, () => $"{capture.Events.Count} metrics events");

        var first = capture.Events.GroupBy(e => e.Time).First().ToList();
        Assert.All(capture.Events, e => Assert.Equal("monitor.metrics", e.Tag));
        Assert.Equal(new[] { "monitor", "in_forward", "out_app", "metrics" }, first.Select(e => (string)e.Record["plugin_id"]!));
        // fluentd emits without config and retry.
        Assert.All(first, e => Assert.False(e.Record.ContainsKey("config") || e.Record.ContainsKey("retry")));
    }

    [Fact]
    public void Fluentds_standard_snippet_configures_without_warnings()
    {
        int port = FreePort.Get();
        var root = ConfigLoader.Parse($"<source>\n  @type monitor_agent\n  bind 0.0.0.0\n  port {port}\n</source>\n", "fluent.conf", Path.GetTempPath());

        var engine = AgentEngine.Build(root);

        Assert.Empty(engine.Warnings);
        var monitor = Assert.Single(engine.Status.Plugins());
        Assert.Equal("monitor_agent", monitor.Type);
        Assert.Contains(monitor.Config, kv => kv.Key == "port" && kv.Value == port.ToString());
    }
}
